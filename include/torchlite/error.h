// torchlite::Error: the one exception type for misuse (bad shapes, dtypes, indices, files).
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

namespace torchlite {

/// Thrown for every user error; the message follows PyTorch's wording where one exists.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

namespace detail {
template <typename... Args>
std::string str_cat(Args&&... args) {
  std::ostringstream os;
  (os << ... << std::forward<Args>(args));
  return os.str();
}
}  // namespace detail

}  // namespace torchlite

/// Throws torchlite::Error with the streamed message when `cond` is false.
#define TL_CHECK(cond, ...)                                                   \
  do {                                                                        \
    if (!(cond)) throw ::torchlite::Error(::torchlite::detail::str_cat(__VA_ARGS__)); \
  } while (0)
