// PyTorch's repr of tensors (torch/_tensor_str.py), torch.Size, print options, Python repr text.
#include "torchlite/printing.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "core/tensor_util.h"
#include "torchlite/autograd/node.h"
#include "torchlite/error.h"
#include "torchlite/tensor.h"

namespace torchlite {

namespace {

PrintOptions& global_options() {
  static PrintOptions options;
  return options;
}

// ---------------------------------------------------------------- number text
// std::to_chars is correctly rounded (ties to even on the exact binary value, like glibc printf
// and Python's format) and, unlike snprintf, ignores the C locale's decimal point.
std::string to_chars_string(double v, std::chars_format fmt, std::optional<int> precision) {
  std::string buf(64 + (precision ? *precision : 0), '\0');
  while (true) {
    auto res = precision ? std::to_chars(buf.data(), buf.data() + buf.size(), v, fmt, *precision)
                         : std::to_chars(buf.data(), buf.data() + buf.size(), v, fmt);
    if (res.ec == std::errc()) {
      buf.resize(static_cast<size_t>(res.ptr - buf.data()));
      return buf;
    }
    buf.resize(buf.size() * 2);  // "%.4f" of 1e308 needs ~315 characters
  }
}

// Python's format(v, ".{p}f" / ".{p}e"): nan is always "nan" (glibc would say "-nan").
std::string format_fixed(double v, int precision) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return to_chars_string(v, std::chars_format::fixed, precision);
}

std::string format_sci(double v, int precision) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  return to_chars_string(v, std::chars_format::scientific, precision);
}

void pad_left(std::string& s, int64_t width) {
  const auto w = static_cast<size_t>(width);
  if (s.size() < w) s.insert(0, w - s.size(), ' ');
}

// ---------------------------------------------------------------- element access
enum class Kind { Floating, Integer, Boolean };

Kind kind_of(Dtype dtype) {
  if (is_floating_point(dtype)) return Kind::Floating;
  if (dtype == kBool) return Kind::Boolean;
  return Kind::Integer;
}

// One element, widened: floats (half/bfloat16 via float32, as PyTorch prints) to double,
// integers and bools to int64.
struct Value {
  double f = 0.0;
  int64_t i = 0;
};

class Reader {
 public:
  explicit Reader(const Tensor& t) : base_(static_cast<const char*>(t.raw_data())),
                                     dtype_(t.dtype()), esize_(t.element_size()) {}

  Value at(int64_t offset) const {
    const char* p = base_ + offset * static_cast<int64_t>(esize_);
    Value v;
    switch (dtype_) {
      case Dtype::Float32: v.f = load<float>(p); break;
      case Dtype::Float64: v.f = load<double>(p); break;
      case Dtype::Float16: v.f = static_cast<float>(load<Half>(p)); break;
      case Dtype::BFloat16: v.f = static_cast<float>(load<BFloat16>(p)); break;
      case Dtype::Int64: v.i = load<int64_t>(p); break;
      case Dtype::Int32: v.i = load<int32_t>(p); break;
      case Dtype::Int16: v.i = load<int16_t>(p); break;
      case Dtype::Int8: v.i = load<int8_t>(p); break;
      case Dtype::UInt8: v.i = load<uint8_t>(p); break;
      case Dtype::Bool: v.i = load<uint8_t>(p) != 0; break;
    }
    return v;
  }

 private:
  template <typename T>
  static T load(const char* p) {
    T out;
    std::memcpy(&out, p, sizeof(T));
    return out;
  }

  const char* base_;
  Dtype dtype_;
  size_t esize_;
};

// ---------------------------------------------------------------- formatter (_Formatter)
class Formatter {
 public:
  Formatter(Kind kind, const std::vector<Value>& shown, const PrintOptions& opt)
      : kind_(kind), precision_(opt.precision) {
    if (kind_ != Kind::Floating) {
      for (const Value& v : shown) {
        width_ = std::max(width_, static_cast<int64_t>(int_text(v).size()));
      }
      return;
    }
    std::vector<double> nz;
    for (const Value& v : shown) {
      if (std::isfinite(v.f) && v.f != 0.0) nz.push_back(v.f);
    }
    if (nz.empty()) return;  // all zero/nan/inf: int mode, width 1, a forced sci_mode ignored
    double mn = std::fabs(nz[0]), mx = mn;
    for (double v : nz) {
      mn = std::min(mn, std::fabs(v));
      mx = std::max(mx, std::fabs(v));
      if (v != std::ceil(v)) int_mode_ = false;
    }
    // A nonzero integral value has |v| >= 1, so the 1e-4 test only matters outside int mode.
    // A forced sci_mode replaces the automatic choice *before* the width is measured (2.x;
    // 1.13 measured the automatic notation's width, see printing.h).
    sci_mode_ = opt.sci_mode.value_or(mx / mn > 1000.0 || mx > 1.0e8 || mn < 1.0e-4);
    for (double v : nz) {
      int64_t w;
      if (sci_mode_) {
        w = static_cast<int64_t>(format_sci(v, precision_).size());
      } else if (int_mode_) {
        w = static_cast<int64_t>(format_fixed(v, 0).size()) + 1;
      } else {
        w = static_cast<int64_t>(format_fixed(v, precision_).size());
      }
      width_ = std::max(width_, w);
    }
  }

  int64_t width() const { return width_; }

  std::string format(const Value& v) const {
    std::string s;
    if (kind_ != Kind::Floating) {
      s = int_text(v);
    } else if (sci_mode_) {
      s = format_sci(v.f, precision_);
    } else if (int_mode_) {
      s = format_fixed(v.f, 0);
      if (std::isfinite(v.f)) s += '.';
    } else {
      s = format_fixed(v.f, precision_);
    }
    pad_left(s, width_);
    return s;
  }

 private:
  std::string int_text(const Value& v) const {
    if (kind_ == Kind::Boolean) return v.i ? "True" : "False";
    return std::to_string(v.i);
  }

  Kind kind_;
  int precision_;
  bool int_mode_ = true;
  bool sci_mode_ = false;
  int64_t width_ = 1;
};

// ---------------------------------------------------------------- layout
constexpr int64_t kIndent = 7;  // len("tensor(")

class Printer {
 public:
  Printer(const Tensor& t, const PrintOptions& opt)
      : opt_(opt), reader_(t), kind_(kind_of(t.dtype())), sizes_(t.sizes()),
        strides_(t.strides()), summarize_(t.numel() > opt.threshold) {}

  std::string body() {
    const int64_t dim = static_cast<int64_t>(sizes_.size());
    if (summarize_ && opt_.edgeitems == 0 && dim > 0) return "[...]";
    std::vector<Value> shown;
    collect(0, 0, shown);
    formatter_.emplace(kind_, shown, opt_);
    std::string out;
    layout(0, 0, kIndent, out);
    return out;
  }

 private:
  // Indices of dimension `d` that are printed; -1 stands for the elision marker.
  std::vector<int64_t> shown_indices(size_t d) const {
    const int64_t n = sizes_[d], e = opt_.edgeitems;
    std::vector<int64_t> idx;
    if (summarize_ && n - e > e) {  // n > 2 * edgeitems, without overflow
      for (int64_t i = 0; i < e; ++i) idx.push_back(i);
      idx.push_back(-1);
      for (int64_t i = n - e; i < n; ++i) idx.push_back(i);
    } else {
      for (int64_t i = 0; i < n; ++i) idx.push_back(i);
    }
    return idx;
  }

  // The formatter sees exactly the printed elements (get_summarized_data).
  void collect(size_t d, int64_t offset, std::vector<Value>& out) const {
    if (d == sizes_.size()) {
      out.push_back(reader_.at(offset));
      return;
    }
    for (int64_t i : shown_indices(d)) {
      if (i >= 0) collect(d + 1, offset + i * strides_[d], out);
    }
  }

  void layout(size_t d, int64_t offset, int64_t indent, std::string& out) const {
    const size_t dim = sizes_.size() - d;
    if (dim == 0) {
      out += formatter_->format(reader_.at(offset));
      return;
    }
    const std::vector<int64_t> idx = shown_indices(d);
    out += '[';
    if (dim == 1) {
      // Items per line: floor((linewidth - indent) / (width + 2)), at least one.
      const int64_t elem_len = formatter_->width() + 2;
      const int64_t room = opt_.linewidth - indent;
      const int64_t per_line = std::max<int64_t>(1, room > 0 ? room / elem_len : 0);
      const std::string line_sep = ",\n" + std::string(static_cast<size_t>(indent + 1), ' ');
      for (size_t k = 0; k < idx.size(); ++k) {
        if (k > 0) out += (static_cast<int64_t>(k) % per_line == 0) ? line_sep : ", ";
        out += idx[k] < 0 ? " ..." : formatter_->format(reader_.at(offset + idx[k] * strides_[d]));
      }
    } else {
      const std::string sep = "," + std::string(dim - 1, '\n') +
                              std::string(static_cast<size_t>(indent + 1), ' ');
      for (size_t k = 0; k < idx.size(); ++k) {
        if (k > 0) out += sep;
        if (idx[k] < 0) {
          out += "...";
        } else {
          layout(d + 1, offset + idx[k] * strides_[d], indent + 1, out);
        }
      }
    }
    out += ']';
  }

  const PrintOptions& opt_;
  Reader reader_;
  Kind kind_;
  const Sizes& sizes_;
  const IntVector& strides_;
  bool summarize_;
  std::optional<Formatter> formatter_;
};


// _add_suffixes: a suffix wraps onto a new line (indent 7) when it would pass linewidth.
void add_suffixes(std::string& s, const std::vector<std::string>& suffixes, int64_t indent,
                  int64_t linewidth) {
  const size_t nl = s.rfind('\n');
  // Python: len(s) - s.rfind("\n") + 1, i.e. the last line's length plus 2.
  int64_t last = static_cast<int64_t>(s.size()) -
                 (nl == std::string::npos ? -1 : static_cast<int64_t>(nl)) + 1;
  for (const std::string& suf : suffixes) {
    const int64_t len = static_cast<int64_t>(suf.size());
    if (last + len + 2 > linewidth) {
      s += ",\n" + std::string(static_cast<size_t>(indent), ' ') + suf;
      last = indent + len;
    } else {
      s += ", " + suf;
      last += len + 2;
    }
  }
  s += ')';
}

// ---------------------------------------------------------------- UTF-8 helpers for repr(str)
// Decodes the code point at s[i] and advances i past it; on invalid UTF-8 returns false with
// cp = the first byte, consuming that one byte.
bool decode_utf8(std::string_view s, size_t& i, uint32_t& cp) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  const int extra = b0 < 0x80 ? 0 : (b0 & 0xe0) == 0xc0 ? 1 : (b0 & 0xf0) == 0xe0 ? 2
                  : (b0 & 0xf8) == 0xf0 ? 3 : -1;
  cp = b0;
  if (extra < 0 || s.size() - i <= static_cast<size_t>(extra)) {
    ++i;
    return false;
  }
  uint32_t v = extra == 0 ? b0 : (b0 & (0x7fu >> (extra + 1)));
  for (int k = 1; k <= extra; ++k) {
    const auto b = static_cast<unsigned char>(s[i + static_cast<size_t>(k)]);
    if ((b & 0xc0) != 0x80) {
      ++i;
      return false;
    }
    v = (v << 6) | (b & 0x3fu);
  }
  static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};  // shorter forms are invalid
  if (v < kMin[extra] || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) {
    ++i;
    return false;
  }
  i += static_cast<size_t>(extra) + 1;
  cp = v;
  return true;
}

// Python's str.isprintable() for non-ASCII code points: false for controls, format characters,
// separators other than the ASCII space, surrogates, private use and non-characters. The
// commonly met ones are listed; unassigned code points are treated as printable.
bool is_printable_non_ascii(uint32_t cp) {
  struct Range { uint32_t lo, hi; };
  static constexpr Range kNonPrintable[] = {
      {0x80, 0xa0},       {0xad, 0xad},       {0x600, 0x605},     {0x61c, 0x61c},
      {0x6dd, 0x6dd},     {0x70f, 0x70f},     {0x890, 0x891},     {0x8e2, 0x8e2},
      {0x1680, 0x1680},   {0x180e, 0x180e},   {0x2000, 0x200f},   {0x2028, 0x202f},
      {0x205f, 0x2064},   {0x2066, 0x206f},   {0x3000, 0x3000},   {0xd800, 0xf8ff},
      {0xfeff, 0xfeff},   {0xfff9, 0xfffb},   {0xfffe, 0xffff},   {0x110bd, 0x110bd},
      {0x110cd, 0x110cd}, {0x13430, 0x1343f}, {0x1bca0, 0x1bca3}, {0x1d173, 0x1d17a},
      {0xe0001, 0xe0001}, {0xe0020, 0xe007f}, {0xf0000, 0x10ffff}};
  for (const Range& r : kNonPrintable) {
    if (cp >= r.lo && cp <= r.hi) return false;
  }
  return (cp & 0xfffe) != 0xfffe;
}

void append_hex_escape(std::string& out, char kind, uint32_t cp, int digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '\\';
  out += kind;
  for (int k = digits - 1; k >= 0; --k) out += kHex[(cp >> (4 * k)) & 0xf];
}

}  // namespace

std::string detail::py_tuple(const Sizes& sizes) {
  std::string s = "(";
  for (size_t i = 0; i < sizes.size(); ++i) {
    if (i > 0) s += ", ";
    s += std::to_string(sizes[i]);
  }
  if (sizes.size() == 1) s += ',';
  return s + ")";
}

// ---------------------------------------------------------------- options
void set_printoptions(const PrintOptions& options) {
  TL_CHECK(options.precision >= 0, "set_printoptions: precision must be >= 0, got ",
           options.precision);
  TL_CHECK(options.threshold >= 0, "set_printoptions: threshold must be >= 0, got ",
           options.threshold);
  TL_CHECK(options.edgeitems >= 0, "set_printoptions: edgeitems must be >= 0, got ",
           options.edgeitems);
  TL_CHECK(options.linewidth >= 1, "set_printoptions: linewidth must be >= 1, got ",
           options.linewidth);
  global_options() = options;
}

const PrintOptions& get_printoptions() { return global_options(); }

PrintOptionsGuard::PrintOptionsGuard(const PrintOptions& options) : saved_(get_printoptions()) {
  set_printoptions(options);
}

PrintOptionsGuard::~PrintOptionsGuard() { global_options() = saved_; }

// ---------------------------------------------------------------- Python text
std::string format_python_float(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  if (value == 0.0) return std::signbit(value) ? "-0.0" : "0.0";
  // Shortest round-trip digits, as "d.ddde[+-]XX".
  const std::string sci = to_chars_string(std::fabs(value), std::chars_format::scientific, {});
  const size_t e = sci.find('e');
  std::string digits = sci.substr(0, e);
  digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
  const int x = std::stoi(sci.substr(e + 1));
  std::string out = std::signbit(value) ? "-" : "";
  if (x < -4 || x >= 16) {
    out += digits[0];
    if (digits.size() > 1) out += "." + digits.substr(1);
    const std::string ex = std::to_string(std::abs(x));
    out += std::string(x < 0 ? "e-" : "e+") + (ex.size() < 2 ? "0" : "") + ex;
  } else if (x >= 0) {
    const size_t int_digits = static_cast<size_t>(x) + 1;
    std::string ip = digits.substr(0, std::min(int_digits, digits.size()));
    ip.append(int_digits - ip.size(), '0');
    const std::string fp = digits.size() > int_digits ? digits.substr(int_digits) : "0";
    out += ip + "." + fp;
  } else {
    out += "0." + std::string(static_cast<size_t>(-x - 1), '0') + digits;
  }
  return out;
}

std::string python_string_repr(const std::string& text) {
  const bool has_single = text.find('\'') != std::string::npos;
  const bool has_double = text.find('"') != std::string::npos;
  const char quote = has_single && !has_double ? '"' : '\'';
  std::string out(1, quote);
  size_t i = 0;
  while (i < text.size()) {
    const size_t start = i;
    uint32_t cp;
    if (!decode_utf8(text, i, cp)) {
      append_hex_escape(out, 'x', cp, 2);
      continue;
    }
    if (cp == static_cast<uint32_t>(quote) || cp == '\\') {
      out += '\\';
      out += static_cast<char>(cp);
    } else if (cp == '\t') {
      out += "\\t";
    } else if (cp == '\n') {
      out += "\\n";
    } else if (cp == '\r') {
      out += "\\r";
    } else if (cp < 0x20 || cp == 0x7f) {
      append_hex_escape(out, 'x', cp, 2);
    } else if (cp < 0x7f || is_printable_non_ascii(cp)) {
      out.append(text, start, i - start);
    } else if (cp <= 0xff) {
      append_hex_escape(out, 'x', cp, 2);
    } else if (cp <= 0xffff) {
      append_hex_escape(out, 'u', cp, 4);
    } else {
      append_hex_escape(out, 'U', cp, 8);
    }
  }
  out += quote;
  return out;
}

// ---------------------------------------------------------------- Tensor / Sizes
std::string repr(const Tensor& t) {
  if (!t.defined()) return "None";
  const PrintOptions& opt = get_printoptions();
  std::vector<std::string> suffixes;
  std::string body;
  if (t.numel() == 0) {
    if (t.dim() != 1) suffixes.push_back("size=" + detail::py_tuple(t.sizes()));
    if (t.dtype() != kFloat32) suffixes.push_back("dtype=" + dtype_name(t.dtype()));
    body = "[]";
  } else {
    if (opt.edgeitems == 0) suffixes.push_back("size=" + detail::py_tuple(t.sizes()));  // as 2.x
    const Dtype d = t.dtype();
    if (d != kFloat32 && d != kInt64 && d != kBool) suffixes.push_back("dtype=" + dtype_name(d));
    body = Printer(t, opt).body();
  }
  if (t.grad_fn()) {
    suffixes.push_back("grad_fn=<" + t.grad_fn()->name() + ">");
  } else if (t.requires_grad()) {
    suffixes.push_back("requires_grad=True");
  }
  std::string s = "tensor(" + body;
  add_suffixes(s, suffixes, kIndent, opt.linewidth);
  if (t.impl()->is_parameter) s.insert(0, "Parameter containing:\n");
  return s;
}

std::ostream& operator<<(std::ostream& os, const Tensor& t) { return os << repr(t); }

std::ostream& operator<<(std::ostream& os, const Sizes& sizes) {
  os << "torch.Size([";
  for (size_t i = 0; i < sizes.size(); ++i) os << (i > 0 ? ", " : "") << sizes[i];
  return os << "])";
}

}  // namespace torchlite
