// Character text data: UTF-8 decoding and its errors, the vocabulary against the one
// tools/gen_char_lm_fixtures.py builds with Python (tests/fixtures/char_lm), and the windows.
#include "torchlite/data/text.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "torchlite/data/dataloader.h"
#include "torchlite/error.h"

namespace fs = std::filesystem;
using namespace torchlite;

namespace {

std::string fixture(const std::string& name) { return std::string(TORCHLITE_FIXTURES) + "/char_lm/" + name; }

/// The message of the torchlite::Error `f` throws ("" if none).
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

fs::path write_temp(const std::string& name, const std::string& bytes) {
  const fs::path p = fs::temp_directory_path() / ("torchlite_test_text_" + name);
  std::ofstream(p, std::ios::binary) << bytes;
  return p;
}

}  // namespace

TEST(Utf8, DecodesCodePointsNotBytes) {
  const std::u32string s = data::decode_utf8("a\xC3\xA9\xE2\x80\x94\xE9\x81\x93\xF0\x9F\x98\x80", "t");
  EXPECT_EQ(s, (std::u32string{U'a', U'\u00e9', U'\u2014', U'\u9053', U'\U0001F600'}));
  EXPECT_EQ(data::encode_utf8(s), "a\xC3\xA9\xE2\x80\x94\xE9\x81\x93\xF0\x9F\x98\x80");
}

TEST(Utf8, NamesTheFirstBadByteOffset) {
  // The offsets Python's bytes.decode('utf-8') reports as the error's start.
  for (const auto& [bytes, offset] : std::vector<std::pair<std::string, int>>{
           {"ab\xff", 2},              // invalid lead byte
           {"abc\xC3", 3},             // truncated sequence
           {"\xC3\xA9\xC3(", 2},       // bad continuation
           {"x\xC0\x80", 1},           // overlong NUL
           {"xy\xED\xA0\x80", 2},      // surrogate U+D800
           {"\xF4\x90\x80\x80", 0}}) {  // past U+10FFFF
    EXPECT_EQ(error_of([&] { (void)data::decode_utf8(bytes, "f.txt"); }),
              "f.txt: not valid UTF-8 at byte offset " + std::to_string(offset));
  }
}

TEST(TextFile, EmptyAndNonUtf8FilesAreErrorsNamingTheFile) {
  const fs::path empty = write_temp("empty.txt", "");
  EXPECT_EQ(error_of([&] { (void)data::read_text_file(empty.string()); }),
            empty.string() + ": empty text file (a language model needs some text)");
  const fs::path latin1 = write_temp("latin1.txt", "caf\xe9 au lait\n");
  EXPECT_EQ(error_of([&] { (void)data::read_text_file(latin1.string()); }),
            latin1.string() + ": not valid UTF-8 at byte offset 3");
  EXPECT_EQ(error_of([] { (void)data::read_text_file("/nonexistent/t.txt"); }),
            "/nonexistent/t.txt: cannot open for reading");
  fs::remove(empty);
  fs::remove(latin1);
}

TEST(Vocab, MatchesPythonsCountOrder) {
  std::ifstream f(fixture("char_lm.json"));
  ASSERT_TRUE(f.good()) << "missing fixture char_lm/char_lm.json";
  const auto want = nlohmann::json::parse(f)["vocab"].get<std::vector<std::string>>();
  const data::Vocab vocab = data::Vocab::build(data::read_text_file(fixture("text.txt")));
  EXPECT_EQ(vocab.tokens(), want);
  EXPECT_EQ(vocab.tokens().front(), "<unk>");
  // Round trip through the token list a checkpoint stores.
  const data::Vocab again = data::Vocab::from_tokens(want);
  EXPECT_EQ(again.encode("The Way"), vocab.encode("The Way"));
  EXPECT_EQ(vocab.decode(vocab.encode("café — 道")), "café — 道");
  EXPECT_EQ(vocab.index(U'\U0001F600'), data::Vocab::kUnk);
  EXPECT_EQ(vocab.decode(vocab.encode("a\U0001F600")), "a<unk>");
}

TEST(Vocab, TiesKeepFirstAppearance) {
  const data::Vocab v = data::Vocab::build("babcc");
  EXPECT_EQ(v.tokens(), (std::vector<std::string>{"<unk>", "b", "c", "a"}));
  EXPECT_EQ(error_of([] { (void)data::Vocab::from_tokens({"a"}); }),
            "Vocab: the first token must be '<unk>' (d2l's Vocab puts it at index 0)");
  EXPECT_EQ(error_of([] { (void)data::Vocab::from_tokens({"<unk>", "ab"}); }),
            "Vocab: token 1 must be one character, got 'ab'");
  EXPECT_EQ(error_of([&] { (void)v.decode({4}); }),
            "Vocab: token index 4 is out of range for 4 tokens");
}

TEST(TextWindows, NonOverlappingInputAndNextTokenTarget) {
  data::TextWindows w({0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, 3);
  EXPECT_EQ(w.size(), 3);  // (10 - 1) / 3
  const auto [x, y] = w.get_batch({2, 0});
  const int64_t* px = x.data_ptr<int64_t>();
  const int64_t* py = y.data_ptr<int64_t>();
  EXPECT_EQ(std::vector<int64_t>(px, px + 6), (std::vector<int64_t>{6, 7, 8, 0, 1, 2}));
  EXPECT_EQ(std::vector<int64_t>(py, py + 6), (std::vector<int64_t>{7, 8, 9, 1, 2, 3}));
  EXPECT_EQ(error_of([] { data::TextWindows({1, 2}, 2); }),
            "TextWindows: the text has 2 characters; a window of context 2 needs at least 3");
}

TEST(Fortunes, DefaultCorpusIsPlainText) {
  if (!fs::exists("/usr/share/games/fortunes/tao")) GTEST_SKIP() << "fortunes not installed";
  const std::string corpus = data::fortunes_corpus();
  EXPECT_GT(corpus.size(), 100000u);
  EXPECT_EQ(corpus.find('\b'), std::string::npos);
  EXPECT_EQ(corpus.find("\n%\n"), std::string::npos);
  EXPECT_NO_THROW((void)data::decode_utf8(corpus, "corpus"));
}
