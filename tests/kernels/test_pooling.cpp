// Pooling and interpolation kernels: each threaded fast path (2x2/stride-2 pools, table-driven
// nearest and bilinear resampling) bit for bit against its plain single-threaded reference twin,
// on LeNet's shapes and odd ones, forward and backward, float32 and float64.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <vector>

#include "kernels/pooling.h"
#include "torchlite/parallel.h"
#include "torchlite/tensor.h"

namespace tl = torchlite;
namespace k = torchlite::kernels;

namespace {

/// Bitwise equality (NaN payloads included), so that any change of summation order shows.
template <class T>
void expect_same_bits(const std::vector<T>& a, const std::vector<T>& b, const char* what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  EXPECT_EQ(std::memcmp(a.data(), b.data(), a.size() * sizeof(T)), 0) << what;
}

template <class T>
std::vector<T> random_values(int64_t n, bool ties) {
  tl::Tensor t = ties ? tl::randint(-2, 3, {n}).to(tl::kFloat64) : tl::randn({n}, tl::kFloat64);
  std::vector<T> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) v[i] = static_cast<T>(t.data_ptr<double>()[i]);
  return v;
}

k::PoolGeometry geometry(int64_t ih, int64_t iw, int64_t kernel, int64_t stride, int64_t pad,
                         int64_t dil, bool ceil_mode) {
  k::PoolGeometry g;
  g.ih = ih, g.iw = iw, g.kh = g.kw = kernel, g.sh = g.sw = stride, g.ph = g.pw = pad;
  g.dh = g.dw = dil;
  auto out = [&](int64_t in) {
    const int64_t span = in + 2 * pad - dil * (kernel - 1) - 1 + (ceil_mode ? stride - 1 : 0);
    int64_t o = span / stride + 1;
    if (ceil_mode && (o - 1) * stride >= in + pad) --o;
    return o;
  };
  g.oh = out(ih);
  g.ow = out(iw);
  return g;
}

struct PoolCase {
  int64_t planes, ih, iw, kernel, stride, pad, dil;
  bool ceil_mode;
};

// LeNet's two pools (batch 256: threaded), odd sizes that still take the 2x2 path, and general
// windows.
const std::vector<PoolCase> kPoolCases = {
    {256 * 6, 28, 28, 2, 2, 0, 1, false}, {256 * 16, 10, 10, 2, 2, 0, 1, false},
    {40, 7, 9, 2, 2, 0, 1, false},        {40, 7, 9, 2, 2, 0, 1, true},
    {300, 11, 8, 3, 2, 1, 1, true},       {300, 9, 9, 3, 1, 1, 2, false},
};

template <class T>
void check_pools() {
  tl::manual_seed(21);
  for (const PoolCase& c : kPoolCases) {
    SCOPED_TRACE(::testing::Message() << c.planes << "x" << c.ih << "x" << c.iw << " k" << c.kernel
                                      << " s" << c.stride << " p" << c.pad);
    const k::PoolGeometry g = geometry(c.ih, c.iw, c.kernel, c.stride, c.pad, c.dil, c.ceil_mode);
    const int64_t in = c.planes * c.ih * c.iw, out = c.planes * g.oh * g.ow;
    for (bool ties : {false, true}) {
      std::vector<T> x = random_values<T>(in, ties);
      if (ties) x[5] = std::numeric_limits<T>::quiet_NaN();
      std::vector<T> y(out), y_ref(out);
      std::vector<int64_t> idx(out), idx_ref(out);
      k::max_pool2d(x.data(), y.data(), idx.data(), c.planes, g);
      k::max_pool2d_reference(x.data(), y_ref.data(), idx_ref.data(), c.planes, g);
      expect_same_bits(y, y_ref, "max forward");
      EXPECT_EQ(idx, idx_ref);
      const std::vector<T> gy = random_values<T>(out, false);
      std::vector<T> gx(in), gx_ref(in);
      k::max_pool2d_backward(gy.data(), idx.data(), gx.data(), c.planes, c.ih * c.iw, g.oh * g.ow);
      k::max_pool2d_backward_reference(gy.data(), idx.data(), gx_ref.data(), c.planes, c.ih * c.iw,
                                       g.oh * g.ow);
      expect_same_bits(gx, gx_ref, "max backward");
    }
    if (c.dil != 1) continue;
    const std::vector<T> x = random_values<T>(in, false);
    const std::vector<T> gy = random_values<T>(out, false);
    for (bool include_pad : {true, false}) {
      for (int64_t divisor : {0, 3}) {
        std::vector<T> y(out), y_ref(out), gx(in), gx_ref(in);
        k::avg_pool2d(x.data(), y.data(), c.planes, g, include_pad, divisor);
        k::avg_pool2d_reference(x.data(), y_ref.data(), c.planes, g, include_pad, divisor);
        expect_same_bits(y, y_ref, "avg forward");
        k::avg_pool2d_backward(gy.data(), gx.data(), c.planes, g, include_pad, divisor);
        k::avg_pool2d_backward_reference(gy.data(), gx_ref.data(), c.planes, g, include_pad,
                                         divisor);
        expect_same_bits(gx, gx_ref, "avg backward");
      }
    }
  }
}

struct ResampleCase {
  int64_t planes, ih, iw, oh, ow;
  std::optional<double> sh, sw;
};

const std::vector<ResampleCase> kResampleCases = {
    {1536, 14, 14, 28, 28, 2.0, 2.0},
    {64, 5, 7, 9, 4, std::nullopt, std::nullopt},
    {64, 5, 7, 8, 11, 1.7, 1.6},
    {700, 9, 6, 3, 13, 0.35, 2.3},
    {8, 6, 6, 6, 6, std::nullopt, std::nullopt},
    {100, 1, 17, 1, 40, std::nullopt, 2.4},
};

template <class T>
void check_resampling() {
  tl::manual_seed(22);
  for (const ResampleCase& c : kResampleCases) {
    SCOPED_TRACE(::testing::Message()
                 << c.planes << "x" << c.ih << "x" << c.iw << " -> " << c.oh << "x" << c.ow);
    k::PoolGeometry g;
    g.ih = c.ih, g.iw = c.iw, g.oh = c.oh, g.ow = c.ow;
    const int64_t in = c.planes * c.ih * c.iw, out = c.planes * c.oh * c.ow;
    const std::vector<T> x = random_values<T>(in, false);
    const std::vector<T> gy = random_values<T>(out, false);
    std::vector<T> y(out), y_ref(out), gx(in), gx_ref(in);
    k::upsample_nearest2d(x.data(), y.data(), c.planes, g, c.sh, c.sw);
    k::upsample_nearest2d_reference(x.data(), y_ref.data(), c.planes, g, c.sh, c.sw);
    expect_same_bits(y, y_ref, "nearest forward");
    k::upsample_nearest2d_backward(gy.data(), gx.data(), c.planes, g, c.sh, c.sw);
    k::upsample_nearest2d_backward_reference(gy.data(), gx_ref.data(), c.planes, g, c.sh, c.sw);
    expect_same_bits(gx, gx_ref, "nearest backward");
    for (bool align_corners : {false, true}) {
      k::upsample_bilinear2d(x.data(), y.data(), c.planes, g, align_corners, c.sh, c.sw);
      k::upsample_bilinear2d_reference(x.data(), y_ref.data(), c.planes, g, align_corners, c.sh,
                                       c.sw);
      expect_same_bits(y, y_ref, "bilinear forward");
      k::upsample_bilinear2d_backward(gy.data(), gx.data(), c.planes, g, align_corners, c.sh, c.sw);
      k::upsample_bilinear2d_backward_reference(gy.data(), gx_ref.data(), c.planes, g,
                                                align_corners, c.sh, c.sw);
      expect_same_bits(gx, gx_ref, "bilinear backward");
    }
  }
}

}  // namespace

TEST(PoolingKernels, FastPoolsMatchReferenceFloat) {
  tl::set_num_threads(2);
  check_pools<float>();
}

TEST(PoolingKernels, FastPoolsMatchReferenceDouble) {
  tl::set_num_threads(2);
  check_pools<double>();
}

TEST(PoolingKernels, ResamplingMatchesReferenceFloat) {
  tl::set_num_threads(2);
  check_resampling<float>();
}

TEST(PoolingKernels, ResamplingMatchesReferenceDouble) {
  tl::set_num_threads(2);
  check_resampling<double>();
}
