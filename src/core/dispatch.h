// Calling a generic lambda with the C++ type of a runtime Dtype.
#pragma once

#include "torchlite/dtype.h"
#include "torchlite/error.h"

namespace torchlite::detail {

/// Calls f(T{}) for the arithmetic dtypes (float32/64, int64/32/16/8, uint8, bool).
template <class F>
decltype(auto) dispatch_arith(Dtype dtype, const char* op, F&& f) {
  switch (dtype) {
    case kFloat32: return f(float{});
    case kFloat64: return f(double{});
    case kInt64: return f(int64_t{});
    case kInt32: return f(int32_t{});
    case kInt16: return f(int16_t{});
    case kInt8: return f(int8_t{});
    case kUInt8: return f(uint8_t{});
    case kBool: return f(bool{});
    default: break;
  }
  throw Error(str_cat("\"", op, "\" not implemented for '", scalar_type_name(dtype), "'"));
}

/// Calls f(T{}) for every dtype, including the storage-only float16/bfloat16.
template <class F>
decltype(auto) dispatch_all(Dtype dtype, F&& f) {
  switch (dtype) {
    case kFloat16: return f(Half{});
    case kBFloat16: return f(BFloat16{});
    default: return dispatch_arith(dtype, "dispatch", std::forward<F>(f));
  }
}

/// Calls f(T{}) for float32/float64 only.
template <class F>
decltype(auto) dispatch_float(Dtype dtype, const char* op, F&& f) {
  switch (dtype) {
    case kFloat32: return f(float{});
    case kFloat64: return f(double{});
    default: break;
  }
  throw Error(str_cat("\"", op, "\" not implemented for '", scalar_type_name(dtype), "'"));
}

/// Converts between element types, going through float for half/bfloat16.
template <class To, class From>
inline To convert(From v) {
  if constexpr (std::is_same_v<From, Half> || std::is_same_v<From, BFloat16>) {
    return convert<To>(static_cast<float>(v));
  } else if constexpr (std::is_same_v<To, Half> || std::is_same_v<To, BFloat16>) {
    return To(static_cast<float>(v));
  } else if constexpr (std::is_same_v<To, bool>) {
    return v != From(0);
  } else {
    return static_cast<To>(v);
  }
}

}  // namespace torchlite::detail
