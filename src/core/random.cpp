// Tensor random methods and factories (uniform_, normal_, random_, bernoulli_, rand, randn,
// randint, randperm): PyTorch 1.13's CPU draws, bit for bit (rng.md; kernels in random_kernels).
#include <algorithm>
#include <cstdlib>
#include <limits>
#include <memory>
#include <type_traits>
#include <vector>

#include "autograd/inplace.h"
#include "core/random_kernels.h"
#include "core/tensor_util.h"
#include "torchlite/tensor.h"

namespace torchlite {
namespace {

Generator& pick(std::optional<Generator>& gen) { return gen ? *gen : default_generator(); }


// Calls f(T{}) with the C++ element type of `d`.
template <typename F>
void dispatch(Dtype d, F&& f) {
  switch (d) {
    case kFloat32:
      return f(float{});
    case kFloat64:
      return f(double{});
    case kInt64:
      return f(int64_t{});
    case kInt32:
      return f(int32_t{});
    case kUInt8:
      return f(uint8_t{});
    case kBool:
      return f(bool{});
    case kFloat16:
      return f(Half{});
    case kBFloat16:
      return f(BFloat16{});
    case kInt16:
      return f(int16_t{});
    case kInt8:
      return f(int8_t{});
  }
}

// Converts like static_cast<scalar_t>(value), through float for the 16-bit float types.
template <typename T, typename V>
T cast_to(V value) {
  if constexpr (std::is_same_v<T, Half> || std::is_same_v<T, BFloat16>) {
    return T(static_cast<float>(value));
  } else {
    return static_cast<T>(value);
  }
}

// In-place writes are refused on leaves that require grad, as in PyTorch.
void check_inplace(const Tensor& t) {
  TL_CHECK(!(is_grad_enabled() && t.requires_grad() && t.is_leaf()),
           "a leaf Variable that requires grad is being used in an in-place operation.");
}

// Element offsets (from data_ptr) in TensorIterator order: dims sorted by stride, the largest
// stride outermost, so that draws land in memory order.
std::vector<int64_t> memory_order_offsets(const Tensor& t) {
  const auto& sizes = t.sizes();
  const auto& strides = t.strides();
  std::vector<size_t> dims;
  for (size_t d = 0; d < sizes.size(); ++d) {
    if (sizes[d] == 1) continue;
    TL_CHECK(strides[d] != 0,
             "unsupported operation: more than one element of the written-to tensor refers to a "
             "single memory location. Please clone() the tensor before performing the operation.");
    dims.push_back(d);
  }
  std::stable_sort(dims.begin(), dims.end(),
                   [&](size_t a, size_t b) { return strides[a] > strides[b]; });
  std::vector<int64_t> offsets(static_cast<size_t>(t.numel()));
  std::vector<int64_t> index(dims.size(), 0);
  int64_t offset = 0;
  for (auto& out : offsets) {
    out = offset;
    // Odometer increment, innermost (smallest-stride) dim last in `dims`.
    for (size_t k = dims.size(); k-- > 0;) {
      const size_t d = dims[k];
      offset += strides[d];
      if (++index[k] < sizes[d]) break;
      offset -= strides[d] * sizes[d];
      index[k] = 0;
    }
  }
  return offsets;
}

// Runs fill(T* buffer, n) so that the values reach `t` in memory order, then bumps its version.
template <typename T, typename Fill>
void fill_in_memory_order(const Tensor& t, Fill&& fill) {
  const int64_t n = t.numel();
  if (n == 0) return;
  T* data = t.data_ptr<T>();
  if (t.is_contiguous()) {
    fill(data, n);
  } else {
    const auto offsets = memory_order_offsets(t);
    auto buffer = std::make_unique<T[]>(static_cast<size_t>(n));  // not vector<bool>
    fill(buffer.get(), n);
    for (int64_t i = 0; i < n; ++i) data[offsets[i]] = buffer[i];
  }
  t.bump_version();
}

// c10's demangled type names, used in random_'s bounds messages.
template <typename T>
const char* c_type_name() {
  if constexpr (std::is_same_v<T, int32_t>) return "int";
  if constexpr (std::is_same_v<T, int16_t>) return "short int";
  if constexpr (std::is_same_v<T, int8_t>) return "signed char";
  if constexpr (std::is_same_v<T, uint8_t>) return "unsigned char";
  if constexpr (std::is_same_v<T, bool>) return "bool";
  return "long int";
}

// ATen's update_from (dir = +1) / update_to (dir = -1): when bound + dir does not survive the
// round trip through T, moves the bound by one ulp of T at that magnitude, inwards.
template <typename T>
int64_t inward_bound(int64_t bound, int dir, int digits) {
  const T rounded = cast_to<T>(bound + dir);
  int64_t near = 0;
  if constexpr (std::is_same_v<T, Half> || std::is_same_v<T, BFloat16>) {
    near = static_cast<int64_t>(static_cast<float>(rounded));
  } else {
    near = static_cast<int64_t>(rounded);
  }
  if (dir > 0 ? near >= bound : near < bound) return bound;
  int64_t mag = std::abs(bound + dir);
  int n = 0;
  while (mag >>= 1) ++n;
  return near + dir * (int64_t{1} << (n - digits + 1));
}

}  // namespace

Tensor& Tensor::uniform_(double from, double to, std::optional<Generator> gen) {
  const Dtype d = dtype();
  TL_CHECK(d == kFloat32 || d == kFloat64, "\"check_uniform_bounds\" not implemented for '",
           scalar_type_name(d), "'");
  TL_CHECK(from <= to, "uniform_ expects to return a [from, to) range, but found from=", from,
           " > to=", to);
  const double max =
      d == kFloat32 ? std::numeric_limits<float>::max() : std::numeric_limits<double>::max();
  TL_CHECK(from >= -max && to <= max, "from is out of bounds for ",
           d == kFloat32 ? "float" : "double");
  TL_CHECK(to - from <= max, "uniform_ expects to-from <= std::numeric_limits<",
           scalar_type_name(d), ">::max(), but found to=", to, " and from=", from,
           " which result in to-from to exceed the limit");
  check_inplace(*this);
  Generator& g = pick(gen);
  if (d == kFloat32) {
    fill_in_memory_order<float>(*this,
                                [&](float* p, int64_t n) { rng::uniform_fill(g, p, n, from, to); });
  } else {
    fill_in_memory_order<double>(
        *this, [&](double* p, int64_t n) { rng::uniform_fill(g, p, n, from, to); });
  }
  detail::cut_history(*this, "UniformBackward0");
  return *this;
}

Tensor& Tensor::normal_(double mean, double std, std::optional<Generator> gen) {
  const Dtype d = dtype();
  TL_CHECK(std >= 0.0, "normal expects std >= 0.0, but found std ", std);
  TL_CHECK(d == kFloat32 || d == kFloat64, "\"normal_kernel_cpu\" not implemented for '",
           scalar_type_name(d), "'");
  check_inplace(*this);
  Generator& g = pick(gen);
  const int64_t n = numel();
  if (n >= 16 && is_contiguous()) {
    // Paths A (float32) and B (float64): the 16-wide fill, which never touches the cache.
    if (d == kFloat32) {
      rng::normal_fill(g, data_ptr<float>(), n, static_cast<float>(mean), static_cast<float>(std));
    } else {
      rng::normal_fill(g, data_ptr<double>(), n, mean, std);
    }
    bump_version();
  } else if (d == kFloat32) {
    // Path C: serial Box-Muller in double, cast to the dtype.
    fill_in_memory_order<float>(*this, [&](float* p, int64_t count) {
      for (int64_t i = 0; i < count; ++i) {
        p[i] = static_cast<float>(rng::normal_serial(g, mean, std));
      }
    });
  } else {
    fill_in_memory_order<double>(*this, [&](double* p, int64_t count) {
      for (int64_t i = 0; i < count; ++i) p[i] = rng::normal_serial(g, mean, std);
    });
  }
  detail::cut_history(*this, "NormalBackward0");
  return *this;
}

Tensor& Tensor::random_(int64_t from, int64_t to, std::optional<Generator> gen) {
  const Dtype d = dtype();
  TL_CHECK(from < to, "random_ expects 'from' to be less than 'to', but got from=", from,
           " >= to=", to);
  check_inplace(*this);
  Generator& g = pick(gen);
  dispatch(d, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (!std::is_integral_v<T>) {
      // Bounds that round outwards in T move inwards to the next value T holds (update_from/to).
      constexpr int digits = std::is_same_v<T, float>    ? 24
                             : std::is_same_v<T, double> ? 53
                             : std::is_same_v<T, Half>   ? 11
                                                         : 8;
      from = inward_bound<T>(from, +1, digits);
      to = inward_bound<T>(to, -1, digits);
      TL_CHECK(from < to,
               "random_ expects 'from' casted to dtype to be less than 'to' casted to "
               "dtype, but got from=",
               from, " >= to=", to);
    }
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, int64_t>) {
      const int64_t lo = std::numeric_limits<T>::lowest();
      const int64_t hi = std::numeric_limits<T>::max();
      TL_CHECK(from >= lo && from <= hi, "from is out of bounds for ", c_type_name<T>());
      TL_CHECK(to - 1 >= lo && to - 1 <= hi, "to - 1 is out of bounds for ", c_type_name<T>());
    }
    // Only these dtypes may take a 64-bit draw (uniform_int_from_to_distribution).
    constexpr bool kWideOk = std::is_same_v<T, int64_t> || std::is_same_v<T, float> ||
                             std::is_same_v<T, double> || std::is_same_v<T, BFloat16>;
    // The range wraps for [-2^63, 2^63): it is taken as an unsigned 64-bit difference.
    const uint64_t range = static_cast<uint64_t>(to) - static_cast<uint64_t>(from);
    const bool wide = kWideOk && range >= (uint64_t{1} << 32);
    fill_in_memory_order<T>(*this, [&](T* p, int64_t n) {
      for (int64_t i = 0; i < n; ++i) {
        p[i] = cast_to<T>(rng::random_from_range(g, from, range, wide));
      }
    });
  });
  detail::cut_history(*this, "RandomBackward0");
  return *this;
}

Tensor& Tensor::bernoulli_(double p, std::optional<Generator> gen) {
  TL_CHECK(p >= 0.0 && p <= 1.0, "bernoulli_ expects p to be in [0, 1], but got p=", p);
  TL_CHECK(dtype() != kFloat16, "\"bernoulli_scalar_cpu_\" not implemented for 'Half'");
  check_inplace(*this);
  Generator& g = pick(gen);
  // bernoulli_distribution<double>: one 53-bit uniform (one random64) per element, u < p.
  dispatch(dtype(), [&](auto tag) {
    using T = decltype(tag);
    fill_in_memory_order<T>(*this, [&](T* out, int64_t n) {
      for (int64_t i = 0; i < n; ++i) {
        out[i] = cast_to<T>(rng::unit_f64(g.random64()) < p ? 1 : 0);
      }
    });
  });
  detail::cut_history(*this, "BernoulliBackward2");
  return *this;
}

Tensor rand(Sizes sizes, Dtype dtype) { return rand(std::move(sizes), default_generator(), dtype); }

Tensor rand(Sizes sizes, Generator gen, Dtype dtype) {
  Tensor t = empty(std::move(sizes), dtype);
  t.uniform_(0.0, 1.0, gen);
  return t;
}

Tensor randn(Sizes sizes, Dtype dtype) {
  return randn(std::move(sizes), default_generator(), dtype);
}

Tensor randn(Sizes sizes, Generator gen, Dtype dtype) {
  Tensor t = empty(std::move(sizes), dtype);
  t.normal_(0.0, 1.0, gen);
  return t;
}

Tensor randint(int64_t low, int64_t high, Sizes sizes, Dtype dtype) {
  return randint(low, high, std::move(sizes), default_generator(), dtype);
}

Tensor randint(int64_t low, int64_t high, Sizes sizes, Generator gen, Dtype dtype) {
  Tensor t = empty(std::move(sizes), dtype);
  t.random_(low, high, gen);
  return t;
}

Tensor randperm(int64_t n, Dtype dtype) { return randperm(n, default_generator(), dtype); }

Tensor randperm(int64_t n, Generator gen, Dtype dtype) {
  TL_CHECK(n >= 0, "Trying to create tensor with negative dimension ", n, ": [", n, "]");
  TL_CHECK(dtype != kBool, "\"randperm\" not implemented for '", scalar_type_name(dtype), "'");
  Tensor t = empty({n}, dtype);
  dispatch(dtype, [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double> ||
                  std::is_same_v<T, Half> || std::is_same_v<T, BFloat16>) {
      // Integers are exact up to 2^digits in the float type; n - 1 is the largest value.
      const int digits = std::is_same_v<T, float>    ? 24
                         : std::is_same_v<T, double> ? 53
                         : std::is_same_v<T, Half>   ? 11
                                                     : 8;
      TL_CHECK(n <= (int64_t{1} << digits) + 1, "n cannot be greater than 2^", digits, "+1 for ",
               scalar_type_name(dtype), " type.");
    } else if constexpr (!std::is_same_v<T, int64_t>) {
      constexpr const char* names[] = {"int32_t", "int16_t", "int8_t", "uint8_t"};
      const char* name = std::is_same_v<T, int32_t>   ? names[0]
                         : std::is_same_v<T, int16_t> ? names[1]
                         : std::is_same_v<T, int8_t>  ? names[2]
                                                      : names[3];
      TL_CHECK(n - 1 <= static_cast<int64_t>(std::numeric_limits<T>::max()),
               "value cannot be "
               "converted to type ",
               name, " without overflow");
    }
    std::vector<int64_t> perm(static_cast<size_t>(n));
    rng::randperm_fill(gen, perm.data(), n);
    T* out = t.data_ptr<T>();
    for (int64_t i = 0; i < n; ++i) out[i] = cast_to<T>(perm[i]);
  });
  return t;
}

}  // namespace torchlite
