// The allowlisted pickle interpreter for torch.save's data.pkl: a stack machine over its own
// value types that never maps a name to code (serialization.md 2.3), and the protocol-2 writer.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "io/common.h"

namespace torchlite::io::detail {

struct Container;

/// A value of the restricted pickle world.
struct Value {
  enum class Kind : uint8_t {
    None,
    Bool,
    Int,
    Float,
    Str,
    Tuple,
    List,
    Dict,
    Global,
    Storage,
    Tensor
  };
  /// What an allowlisted GLOBAL stands for.
  enum class Tag : uint8_t { OrderedDict, RebuildTensorV2, RebuildParameter, StorageType };

  Kind kind = Kind::None;
  bool b = false;
  int64_t i = 0;
  double f = 0;
  Tag tag = Tag::OrderedDict;
  Elem elem = Elem::F32;                 // StorageType globals
  std::shared_ptr<const std::string> s;  // Str (shared: memo gets must not copy)
  std::shared_ptr<Container> c;          // Tuple, List, Dict
  std::shared_ptr<RawStorage> storage;
  std::shared_ptr<RawTensor> tensor;

  bool is_container() const {
    return kind == Kind::Tuple || kind == Kind::List || kind == Kind::Dict;
  }
};

/// Tuple/list elements, or dict entries in insertion order.
struct Container {
  std::vector<Value> items;                       // Tuple, List
  std::vector<std::pair<Value, Value>> entries;   // Dict
  std::unordered_map<std::string, size_t> index;  // Dict: key identity -> entry
  bool ordered = false;                           // collections.OrderedDict
  std::vector<std::pair<Value, Value>> attrs;     // OrderedDict BUILD state (e.g. _metadata)
  // A container becomes immutable once it is placed inside another one. That keeps the
  // object graph acyclic and its depth and expanded size known (and bounded).
  bool sealed = false;
  uint32_t depth = 1;
  uint64_t weight = 1;
};

/// Finds a storage record by key: `numel` elements of `elem`. Called once per key.
using StorageLoader =
    std::function<std::shared_ptr<RawStorage>(const std::string& key, Elem elem, uint64_t numel)>;

/// Runs data.pkl; throws FormatError for anything outside the allowlist.
Value unpickle(const uint8_t* data, size_t size, const StorageLoader& load_storage);

/// Emits protocol-2 pickles of state dicts and tensors that torch.load(weights_only=True)
/// accepts in 1.13 and 2.x (serialization.md 2.2).
class PickleWriter {
 public:
  PickleWriter();
  /// A tensor entry: the storage key, its numel and the view; memoized by `identity`.
  struct TensorRef {
    const void* identity;
    Elem elem;
    std::string key;
    uint64_t storage_numel;
    int64_t offset;
    std::vector<int64_t> sizes, strides;
    bool requires_grad;
    bool is_parameter;
  };
  void begin_dict(bool ordered);
  /// Writes key/value pairs of the dict begun above, in CPython's batches of 1000.
  void dict_items(const std::vector<std::pair<std::string, TensorRef>>& items);
  void tensor(const TensorRef& t);
  void none();
  void boolean(bool v);
  void integer(int64_t v);
  void real(double v);
  void str(const std::string& s);
  /// A tuple or list: begin, the elements, end.
  void begin_sequence(bool list);
  void end_sequence(bool list);
  /// Key/value pairs after begin_dict: begin, then key and value for each, then end.
  void begin_items();
  void end_items();
  /// Appends STOP and returns the stream.
  std::string finish();

 private:
  void global(const char* module, const char* name);
  void int_tuple(const std::vector<int64_t>& v);
  void empty_ordered_dict();
  void put_memo();
  void get_memo(uint32_t id);

  std::string out_;
  uint32_t next_memo_ = 0;
  std::unordered_map<const void*, uint32_t> tensor_memo_;
};

}  // namespace torchlite::io::detail
