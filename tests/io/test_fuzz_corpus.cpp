// Replays fuzz/corpus (inputs the fuzzers kept, crashes they found) through both readers: each
// input must load or be refused with FormatError/Error, never crash, and its repr must work.
#include <dirent.h>
#include <gtest/gtest.h>

#include "io/formats.h"
#include "io_test_util.h"

namespace tl = torchlite;

namespace {

std::vector<std::string> corpus(const std::string& sub) {
  const std::string dir = std::string(TORCHLITE_FIXTURES) + "/../../fuzz/corpus/" + sub;
  std::vector<std::string> out;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (dirent* e = ::readdir(d))
      if (e->d_name[0] != '.') out.push_back(dir + "/" + e->d_name);
    ::closedir(d);
  }
  return out;
}

size_t replay(const std::string& sub, tl::CheckpointFormat fmt) {
  size_t accepted = 0;
  for (const std::string& path : corpus(sub)) {
    SCOPED_TRACE(path);
    try {
      tl::io::Object o = tl::io::detail::read_object(iotest::bytes_of(path), fmt);
      EXPECT_FALSE(tl::io::repr(o).empty());
      ++accepted;
    } catch (const tl::io::FormatError& e) {
      EXPECT_EQ(std::string(e.what()).rfind(e.kind(), 0), 0u) << e.what();
    } catch (const tl::Error&) {
    }
  }
  return accepted;
}

TEST(IoFuzzCorpus, TorchInputsNeverCrash) {
  EXPECT_GE(corpus("pt").size(), 10u);
  replay("pt", tl::CheckpointFormat::Torch);
}

TEST(IoFuzzCorpus, SafetensorsInputsNeverCrash) {
  EXPECT_GE(corpus("safetensors").size(), 10u);
  replay("safetensors", tl::CheckpointFormat::Safetensors);
}

}  // namespace
