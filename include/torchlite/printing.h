// Print options for tensor repr (torch.set_printoptions) and Python-style text helpers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace torchlite {

/// The options torch.set_printoptions takes; defaults are PyTorch's "default" profile.
/// Mirrors https://pytorch.org/docs/stable/generated/torch.set_printoptions.html
///
/// `sci_mode` forced to true/false follows PyTorch 2.x: the forced notation is chosen *before*
/// the field width is measured, so widths fit the notation. PyTorch 1.13 measured the width with
/// the automatic notation and swapped it afterwards, giving odd padding (sci_mode=false prints
/// [1e-5, 1.] as `tensor([    0.0000,     1.0000])`); that quirk is deliberately not reproduced.
/// `edgeitems == 0` also follows 2.x: a summarized tensor prints `[...]`, and every non-empty
/// tensor gets a `size=(...)` suffix.
struct PrintOptions {
  int precision = 4;          // digits after the point in fixed / scientific notation
  int64_t threshold = 1000;   // summarize when numel() > threshold
  int64_t edgeitems = 3;      // items kept at each end of a summarized dimension
  int64_t linewidth = 80;     // row wrapping and suffix wrapping width
  std::optional<bool> sci_mode;  // nullopt: chosen automatically per tensor
};

/// Replaces the global print options (like torch.set_printoptions with every field given);
/// throws torchlite::Error for a negative precision/threshold/edgeitems or linewidth < 1.
void set_printoptions(const PrintOptions& options);
/// The current global print options.
const PrintOptions& get_printoptions();

/// Sets print options for a scope and restores the previous ones (torch.printoptions in 2.x).
class PrintOptionsGuard {
 public:
  explicit PrintOptionsGuard(const PrintOptions& options);
  ~PrintOptionsGuard();
  PrintOptionsGuard(const PrintOptionsGuard&) = delete;
  PrintOptionsGuard& operator=(const PrintOptionsGuard&) = delete;

 private:
  PrintOptions saved_;
};

/// Python's repr(float): the shortest digits that round-trip, in positional form when the
/// decimal exponent is in [-4, 16) (`0.0001`, `1.0`, `0.1`), else exponent form (`1e-05`,
/// `1e+16`); `nan`, `inf`, `-inf`, `-0.0`. Used by module extra_repr (eps, p, momentum).
std::string format_python_float(double value);

/// Python's repr(str) of UTF-8 text: single quotes unless the text contains ' and no ";
/// backslash, the quote, \t \n \r and non-printable characters are escaped as Python does.
std::string python_string_repr(const std::string& text);

}  // namespace torchlite
