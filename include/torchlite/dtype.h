// Element types of tensors, named as in PyTorch (torch.float32 ...).
#pragma once

#include <cstdint>
#include <cstring>
#include <ostream>
#include <string>

namespace torchlite {

/// A tensor's element type. Arithmetic is implemented for the first six; the others are
/// storage types (checkpoints, printing, `to`).
enum class Dtype : int8_t { Float32, Float64, Int64, Int32, UInt8, Bool, Float16, BFloat16, Int16, Int8 };

inline constexpr Dtype kFloat32 = Dtype::Float32;
inline constexpr Dtype kFloat = Dtype::Float32;
inline constexpr Dtype kFloat64 = Dtype::Float64;
inline constexpr Dtype kDouble = Dtype::Float64;
inline constexpr Dtype kInt64 = Dtype::Int64;
inline constexpr Dtype kLong = Dtype::Int64;
inline constexpr Dtype kInt32 = Dtype::Int32;
inline constexpr Dtype kInt = Dtype::Int32;
inline constexpr Dtype kUInt8 = Dtype::UInt8;
inline constexpr Dtype kBool = Dtype::Bool;
inline constexpr Dtype kFloat16 = Dtype::Float16;
inline constexpr Dtype kHalf = Dtype::Float16;
inline constexpr Dtype kBFloat16 = Dtype::BFloat16;
inline constexpr Dtype kInt16 = Dtype::Int16;
inline constexpr Dtype kInt8 = Dtype::Int8;

namespace detail {
[[noreturn]] void throw_unknown_dtype(const char* op);
}

/// Bytes per element.
inline size_t element_size(Dtype dtype) {
  switch (dtype) {
    case Dtype::Float64: case Dtype::Int64: return 8;
    case Dtype::Float32: case Dtype::Int32: return 4;
    case Dtype::Float16: case Dtype::BFloat16: case Dtype::Int16: return 2;
    case Dtype::UInt8: case Dtype::Bool: case Dtype::Int8: return 1;
  }
  detail::throw_unknown_dtype("element_size");
}
/// PyTorch's name, e.g. "torch.float32".
std::string dtype_name(Dtype dtype);
/// The dtype PyTorch calls `name` ("float32" or "torch.float32", also "float", "long", ...);
/// throws torchlite::Error for an unknown name.
Dtype dtype_from_name(std::string name);
/// PyTorch's ScalarType name used in error messages ("Float", "Long", "Bool").
const char* scalar_type_name(Dtype dtype);
/// True for float32/float64/float16/bfloat16.
inline bool is_floating_point(Dtype dtype) {
  return dtype == Dtype::Float32 || dtype == Dtype::Float64 || dtype == Dtype::Float16 ||
         dtype == Dtype::BFloat16;
}
/// The dtype two operands promote to (PyTorch's promote_types for tensor-tensor ops).
Dtype promote_types(Dtype a, Dtype b);

inline std::ostream& operator<<(std::ostream& os, Dtype d) { return os << dtype_name(d); }

/// IEEE half precision, stored as bits; converts through float.
struct Half {
  uint16_t bits = 0;
  Half() = default;
  Half(float f);  // NOLINT: implicit like a built-in float type
  operator float() const;
};

/// bfloat16 (upper half of a float32), round-to-nearest-even on conversion.
struct BFloat16 {
  uint16_t bits = 0;
  BFloat16() = default;
  BFloat16(float f);  // NOLINT
  operator float() const;
};

/// Maps a C++ type to its Dtype.
template <typename T> struct DtypeOf;
template <> struct DtypeOf<float> { static constexpr Dtype value = kFloat32; };
template <> struct DtypeOf<double> { static constexpr Dtype value = kFloat64; };
template <> struct DtypeOf<int64_t> { static constexpr Dtype value = kInt64; };
template <> struct DtypeOf<int32_t> { static constexpr Dtype value = kInt32; };
template <> struct DtypeOf<uint8_t> { static constexpr Dtype value = kUInt8; };
template <> struct DtypeOf<bool> { static constexpr Dtype value = kBool; };
template <> struct DtypeOf<Half> { static constexpr Dtype value = kFloat16; };
template <> struct DtypeOf<BFloat16> { static constexpr Dtype value = kBFloat16; };
template <> struct DtypeOf<int16_t> { static constexpr Dtype value = kInt16; };
template <> struct DtypeOf<int8_t> { static constexpr Dtype value = kInt8; };

}  // namespace torchlite
