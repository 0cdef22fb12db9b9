// Dtype facts (sizes, names, promotion) and the half/bfloat16 conversions.
#include "torchlite/dtype.h"

#include <bit>
#include <cmath>

#include "torchlite/error.h"

namespace torchlite {

namespace detail {
void throw_unknown_dtype(const char* op) { throw Error(str_cat(op, ": unknown dtype")); }
}  // namespace detail

std::string dtype_name(Dtype dtype) {
  switch (dtype) {
    case kFloat32: return "torch.float32";
    case kFloat64: return "torch.float64";
    case kInt64: return "torch.int64";
    case kInt32: return "torch.int32";
    case kUInt8: return "torch.uint8";
    case kBool: return "torch.bool";
    case kFloat16: return "torch.float16";
    case kBFloat16: return "torch.bfloat16";
    case kInt16: return "torch.int16";
    case kInt8: return "torch.int8";
  }
  throw Error("dtype_name: unknown dtype");
}

Dtype dtype_from_name(std::string name) {
  if (name.rfind("torch.", 0) == 0) name = name.substr(6);
  static const std::pair<const char*, Dtype> names[] = {
      {"float32", kFloat32}, {"float", kFloat32},   {"float64", kFloat64}, {"double", kFloat64},
      {"int64", kInt64},     {"long", kInt64},      {"int32", kInt32},     {"int", kInt32},
      {"int16", kInt16},     {"short", kInt16},     {"int8", kInt8},       {"uint8", kUInt8},
      {"bool", kBool},       {"float16", kFloat16}, {"half", kFloat16},    {"bfloat16", kBFloat16}};
  for (const auto& [n, d] : names)
    if (name == n) return d;
  throw Error("unknown dtype '" + name + "'");
}

const char* scalar_type_name(Dtype dtype) {
  switch (dtype) {
    case kFloat32: return "Float";
    case kFloat64: return "Double";
    case kInt64: return "Long";
    case kInt32: return "Int";
    case kUInt8: return "Byte";
    case kBool: return "Bool";
    case kFloat16: return "Half";
    case kBFloat16: return "BFloat16";
    case kInt16: return "Short";
    case kInt8: return "Char";
  }
  return "Undefined";
}

namespace {
// 0 bool, 1 integral, 2 floating: promotion never goes down a category.
int category(Dtype d) { return d == kBool ? 0 : is_floating_point(d) ? 2 : 1; }
int rank_in_category(Dtype d) {
  switch (d) {
    case kBool: return 0;
    case kUInt8: return 1;
    case kInt8: return 1;
    case kInt16: return 2;
    case kInt32: return 3;
    case kInt64: return 4;
    case kFloat16: return 1;
    case kBFloat16: return 1;
    case kFloat32: return 2;
    case kFloat64: return 3;
  }
  return 0;
}
}  // namespace

Dtype promote_types(Dtype a, Dtype b) {
  if (a == b) return a;
  if ((a == kUInt8 && b == kInt8) || (a == kInt8 && b == kUInt8)) return kInt16;
  if ((a == kFloat16 && b == kBFloat16) || (a == kBFloat16 && b == kFloat16)) return kFloat32;
  int ca = category(a), cb = category(b);
  if (ca != cb) return ca > cb ? a : b;
  return rank_in_category(a) >= rank_in_category(b) ? a : b;
}

Half::Half(float f) {
  // Round to nearest even, with overflow to inf and subnormals, from the float's bits.
  uint32_t x = std::bit_cast<uint32_t>(f);
  uint32_t sign = (x >> 16) & 0x8000u;
  uint32_t absx = x & 0x7FFFFFFFu;
  if (absx > 0x7F800000u) {
    bits = static_cast<uint16_t>(sign | 0x7E00u);
    return;
  }
  if (absx >= 0x477FF000u) {  // rounds to >= 65520: inf
    bits = static_cast<uint16_t>(sign | 0x7C00u);
    return;
  }
  if (absx < 0x38800000u) {  // below the smallest normal half: subnormal or zero
    float a = std::bit_cast<float>(absx);
    // Scale so that the half subnormal step (2^-24) is 1, then round to nearest even.
    float scaled = a * 16777216.0f;
    bits = static_cast<uint16_t>(sign | static_cast<uint32_t>(std::nearbyint(scaled)));
    return;
  }
  uint32_t mant_odd = (absx >> 13) & 1u;
  absx += 0xC8000FFFu + mant_odd;  // rebias exponent (-112 << 23) and round
  bits = static_cast<uint16_t>(sign | (absx >> 13));
}

Half::operator float() const {
  uint32_t sign = static_cast<uint32_t>(bits & 0x8000u) << 16;
  uint32_t exp = (bits >> 10) & 0x1Fu;
  uint32_t mant = bits & 0x3FFu;
  if (exp == 0) {
    float v = std::ldexp(static_cast<float>(mant), -24);
    return sign ? -v : v;
  }
  if (exp == 31) return std::bit_cast<float>(sign | 0x7F800000u | (mant << 13));
  return std::bit_cast<float>(sign | ((exp + 112) << 23) | (mant << 13));
}

BFloat16::BFloat16(float f) {
  uint32_t x = std::bit_cast<uint32_t>(f);
  if ((x & 0x7FFFFFFFu) > 0x7F800000u) {
    bits = static_cast<uint16_t>((x >> 16) | 0x40u);
    return;
  }
  uint32_t rounding = 0x7FFFu + ((x >> 16) & 1u);
  bits = static_cast<uint16_t>((x + rounding) >> 16);
}

BFloat16::operator float() const { return std::bit_cast<float>(static_cast<uint32_t>(bits) << 16); }

}  // namespace torchlite
