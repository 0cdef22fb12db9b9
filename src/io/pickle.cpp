// Allowlisted pickle interpreter (never imports or calls anything named by the file) and the
// protocol-2 writer for torch.save's data.pkl.
#include "io/pickle.h"

#include <cstring>

namespace torchlite::io::detail {

namespace {

constexpr uint32_t kMaxDepth = 200;  // nesting of containers
constexpr uint64_t kMaxWeight =
    1ull << 21;                     // expanded size of any value (shared parts counted each time)
constexpr size_t kMaxMarks = 1000;  // open MARKs
constexpr uint64_t kMaxValues = 1ull << 23;  // values created by one stream

using Kind = Value::Kind;
using Tag = Value::Tag;

const char* kind_name(const Value& v) {
  switch (v.kind) {
    case Kind::None:
      return "None";
    case Kind::Bool:
      return "bool";
    case Kind::Int:
      return "int";
    case Kind::Float:
      return "float";
    case Kind::Str:
      return "str";
    case Kind::Tuple:
      return "tuple";
    case Kind::List:
      return "list";
    case Kind::Dict:
      return v.c->ordered ? "OrderedDict" : "dict";
    case Kind::Global:
      return "global";
    case Kind::Storage:
      return "storage";
    case Kind::Tensor:
      return "tensor";
  }
  return "?";
}

std::string tag_name(const Value& g) {
  switch (g.tag) {
    case Tag::OrderedDict:
      return "collections.OrderedDict";
    case Tag::RebuildTensorV2:
      return "torch._utils._rebuild_tensor_v2";
    case Tag::RebuildParameter:
      return "torch._utils._rebuild_parameter";
    case Tag::StorageType:
      return std::string("torch.") + elem_info(g.elem).storage_class;
  }
  return "?";
}

uint32_t depth_of(const Value& v) { return v.c ? v.c->depth : 0; }
uint64_t weight_of(const Value& v) { return v.c ? v.c->weight : 1; }

class Machine {
 public:
  Machine(const uint8_t* data, size_t size, const StorageLoader& load)
      : p_(data), end_(data + size), start_(data), load_(load) {}

  Value run() {
    for (;;) {
      const size_t at = static_cast<size_t>(p_ - start_);
      const uint8_t op = take(1)[0];
      switch (op) {
        case 0x80: {  // PROTO
          uint8_t v = take(1)[0];
          if (v != 2)
            fail("UnsupportedProtocol",
                 "pickle protocol " + std::to_string(v) +
                     "; torch.save writes protocol 2 (re-save without pickle_protocol)");
          break;
        }
        case 'c':
          global();
          break;
        case 'q':
          memo_put(take(1)[0]);
          break;
        case 'r':
          memo_put(le32(take(4)));
          break;
        case 'h':
          memo_get(take(1)[0]);
          break;
        case 'j':
          memo_get(le32(take(4)));
          break;
        case '(':
          if (marks_.size() >= kMaxMarks) fail("PickleLimit", "too many nested MARKs");
          marks_.push_back(std::move(stack_));
          stack_.clear();
          break;
        case 't':
          push(make_seq(Kind::Tuple, pop_mark()));
          break;
        case ')':
          push(make_seq(Kind::Tuple, {}));
          break;
        case 0x85:
        case 0x86:
        case 0x87: {
          const size_t k = op - 0x84u;
          if (stack_.size() < k)
            fail("PickleStackError", "TUPLE" + std::to_string(k) + " underflow");
          std::vector<Value> items(
              std::make_move_iterator(stack_.end() - static_cast<ptrdiff_t>(k)),
              std::make_move_iterator(stack_.end()));
          stack_.resize(stack_.size() - k);
          push(make_seq(Kind::Tuple, std::move(items)));
          break;
        }
        case '}':
          push(make_dict(false));
          break;
        case ']':
          push(make_seq(Kind::List, {}));
          break;
        case 's': {
          Value v = pop(), k = pop();
          set_items({std::move(k), std::move(v)});
          break;
        }
        case 'u':
          set_items(pop_mark());
          break;
        case 'a': {
          Value v = pop();
          append({std::move(v)});
          break;
        }
        case 'e':
          append(pop_mark());
          break;
        case 'R':
          reduce();
          break;
        case 'b':
          build();
          break;
        case 'Q': {
          Value pid = pop();
          push(persistent_load(pid));
          break;
        }
        case 'K':
          push(int_value(take(1)[0]));
          break;
        case 'M':
          push(int_value(le16(take(2))));
          break;
        case 'J':
          push(int_value(static_cast<int32_t>(le32(take(4)))));
          break;
        case 0x8A: {  // LONG1
          const uint8_t n = take(1)[0];
          if (n > 8) fail("BadArgs", "integer wider than 64 bits");
          const uint8_t* d = take(n);
          uint64_t u = 0;
          for (int k = n - 1; k >= 0; --k) u = (u << 8) | d[k];
          if (n > 0 && n < 8 && (d[n - 1] & 0x80)) u |= ~0ull << (8 * n);  // sign-extend
          push(int_value(static_cast<int64_t>(u)));
          break;
        }
        case 'G': {  // BINFLOAT, big-endian
          const uint8_t* d = take(8);
          uint64_t u = 0;
          for (int k = 0; k < 8; ++k) u = (u << 8) | d[k];
          Value v;
          v.kind = Kind::Float;
          std::memcpy(&v.f, &u, 8);
          push(std::move(v));
          break;
        }
        case 'X':
          push(string_value(le32(take(4))));
          break;
        case 'N':
          push(Value{});
          break;
        case 0x88:
        case 0x89: {
          Value v;
          v.kind = Kind::Bool;
          v.b = op == 0x88;
          push(std::move(v));
          break;
        }
        case '.': {
          Value r = pop();
          if (!stack_.empty() || !marks_.empty())
            fail("PickleStackError", "items left on the stack at STOP");
          return r;
        }
        default: {
          char buf[96];
          std::snprintf(buf, sizeof buf, "pickle opcode 0x%02x%s at byte %zu is not allowed", op,
                        op == 'i'    ? " (INST)"
                        : op == 'o'  ? " (OBJ)"
                        : op == 0x81 ? " (NEWOBJ)"
                        : op == 0x93 ? " (STACK_GLOBAL)"
                        : op == 'P'  ? " (PERSID)"
                                     : "",
                        at);
          fail("UnsupportedOpcode", buf);
        }
      }
    }
  }

 private:
  const uint8_t* take(size_t n) {
    if (static_cast<size_t>(end_ - p_) < n)
      fail("PickleTruncated", "data.pkl ends in the middle of an opcode");
    const uint8_t* r = p_;
    p_ += n;
    return r;
  }

  void push(Value v) {
    if (++created_ > kMaxValues) fail("PickleLimit", "too many values in data.pkl");
    stack_.push_back(std::move(v));
  }
  Value pop() {
    if (stack_.empty()) fail("PickleStackError", "pop from an empty stack");
    Value v = std::move(stack_.back());
    stack_.pop_back();
    return v;
  }
  Value& top() {
    if (stack_.empty()) fail("PickleStackError", "empty stack");
    return stack_.back();
  }
  std::vector<Value> pop_mark() {
    if (marks_.empty()) fail("PickleStackError", "no MARK");
    std::vector<Value> items = std::move(stack_);
    stack_ = std::move(marks_.back());
    marks_.pop_back();
    return items;
  }

  static Value int_value(int64_t i) {
    Value v;
    v.kind = Kind::Int;
    v.i = i;
    return v;
  }

  Value string_value(uint32_t n) {
    const uint8_t* d = take(n);
    if (!valid_utf8(d, n)) fail("BadArgs", "string is not valid UTF-8");
    Value v;
    v.kind = Kind::Str;
    v.s = std::make_shared<const std::string>(reinterpret_cast<const char*>(d), n);
    return v;
  }

  std::string line() {
    const uint8_t* nl = static_cast<const uint8_t*>(
        std::memchr(p_, '\n', std::min<size_t>(static_cast<size_t>(end_ - p_), 256)));
    if (!nl) fail("PickleTruncated", "unterminated GLOBAL name");
    std::string r(reinterpret_cast<const char*>(p_), static_cast<size_t>(nl - p_));
    p_ = nl + 1;
    return r;
  }

  void global() {
    const std::string module = line(), name = line();
    Value g;
    g.kind = Kind::Global;
    if (module == "collections" && name == "OrderedDict") {
      g.tag = Tag::OrderedDict;
    } else if (module == "torch._utils" && name == "_rebuild_tensor_v2") {
      g.tag = Tag::RebuildTensorV2;
    } else if (module == "torch._utils" && name == "_rebuild_parameter") {
      g.tag = Tag::RebuildParameter;
    } else if (auto e = module == "torch" ? elem_from_storage_class(name) : std::nullopt) {
      g.tag = Tag::StorageType;
      g.elem = *e;
    } else {
      std::string shown;
      for (char ch : module + "." + name)
        shown += (ch >= 0x20 && ch < 0x7f) ? std::string(1, ch) : "?";
      fail("DisallowedGlobal",
           shown + " is not an allowed global (weights-only loading; nothing was run)");
    }
    push(std::move(g));
  }

  void memo_put(uint32_t id) {
    const Value& v = top();
    if (memo_.size() >= kMaxValues) fail("PickleLimit", "memo too large");
    memo_[id] = v;
  }
  void memo_get(uint32_t id) {
    auto it = memo_.find(id);
    if (it == memo_.end())
      fail("PickleStackError", "memo entry " + std::to_string(id) + " is missing");
    push(it->second);
  }

  // Places `child` inside `parent`, sealing it and updating the parent's depth and weight.
  static void adopt(Container& parent, const Value& child) {
    if (child.c) {
      if (child.c.get() == &parent) fail("PickleStackError", "a container cannot contain itself");
      child.c->sealed = true;
    }
    parent.depth = std::max(parent.depth, depth_of(child) + 1);
    if (parent.depth > kMaxDepth) fail("PickleLimit", "containers nested too deeply");
    parent.weight += weight_of(child);
    if (parent.weight > kMaxWeight) fail("PickleLimit", "object graph too large");
  }

  static Value make_seq(Kind kind, std::vector<Value> items) {
    Value v;
    v.kind = kind;
    v.c = std::make_shared<Container>();
    for (const Value& x : items) adopt(*v.c, x);
    v.c->items = std::move(items);
    return v;
  }
  static Value make_dict(bool ordered) {
    Value v;
    v.kind = Kind::Dict;
    v.c = std::make_shared<Container>();
    v.c->ordered = ordered;
    return v;
  }

  static std::string key_identity(const Value& k) {
    std::string id(1, k.kind == Kind::Str ? 's' : 'i');
    if (k.kind == Kind::Str) return id.append(*k.s);
    if (k.kind == Kind::Int) return id.append(std::to_string(k.i));
    fail("BadArgs",
         std::string("dict key of type ") + kind_name(k) + " (only str and int keys are read)");
  }

  void set_items(std::vector<Value> items) {
    Value& d = top();
    if (d.kind != Kind::Dict || items.size() % 2)
      fail("PickleStackError", "SETITEM(S) on a non-dict");
    Container& c = *d.c;
    if (c.sealed)
      fail("PickleStackError", "SETITEM(S) on a dict that is already inside another object");
    for (size_t k = 0; k < items.size(); k += 2) {
      std::string id = key_identity(items[k]);
      adopt(c, items[k + 1]);
      auto [it, fresh] = c.index.emplace(std::move(id), c.entries.size());
      if (fresh)
        c.entries.emplace_back(std::move(items[k]), std::move(items[k + 1]));
      else
        c.entries[it->second].second = std::move(items[k + 1]);  // Python keeps the first position
    }
  }

  void append(std::vector<Value> items) {
    Value& l = top();
    if (l.kind != Kind::List) fail("PickleStackError", "APPEND(S) on a non-list");
    if (l.c->sealed)
      fail("PickleStackError", "APPEND(S) on a list that is already inside another object");
    for (Value& x : items) {
      adopt(*l.c, x);
      l.c->items.push_back(std::move(x));
    }
  }

  void reduce() {
    Value args = pop();
    Value& f = top();
    if (f.kind != Kind::Global || args.kind != Kind::Tuple)
      fail("DisallowedReduce", std::string("REDUCE on a ") + kind_name(f) + " is not allowed");
    const std::vector<Value>& a = args.c->items;
    switch (f.tag) {
      case Tag::OrderedDict:
        if (!a.empty())
          fail("DisallowedReduce", "collections.OrderedDict is only called without arguments");
        f = make_dict(true);
        return;
      case Tag::RebuildTensorV2:
        f = rebuild_tensor(a);
        return;
      case Tag::RebuildParameter: {
        if (a.size() != 3 || a[0].kind != Kind::Tensor || a[1].kind != Kind::Bool ||
            !empty_dict(a[2]))
          fail("BadArgs", "torch._utils._rebuild_parameter expects (tensor, bool, OrderedDict())");
        Value v;
        v.kind = Kind::Tensor;
        v.tensor = std::make_shared<RawTensor>(*a[0].tensor);
        v.tensor->requires_grad = a[1].b;
        v.tensor->is_parameter = true;
        f = std::move(v);
        return;
      }
      case Tag::StorageType:
        fail("DisallowedReduce", "calling " + tag_name(f) + " is not allowed");
    }
  }

  static bool empty_dict(const Value& v) { return v.kind == Kind::Dict && v.c->entries.empty(); }

  static std::vector<int64_t> int_tuple(const Value& v, const char* what) {
    if (v.kind != Kind::Tuple)
      fail("BadArgs", std::string("_rebuild_tensor_v2: ") + what + " is not a tuple");
    std::vector<int64_t> r;
    for (const Value& x : v.c->items) {
      if (x.kind != Kind::Int)
        fail("BadArgs", std::string("_rebuild_tensor_v2: ") + what + " holds a non-int");
      r.push_back(x.i);
    }
    return r;
  }

  Value rebuild_tensor(const std::vector<Value>& a) {
    if (a.size() != 6 && a.size() != 7)
      fail("BadArgs", "_rebuild_tensor_v2 takes 6 or 7 arguments");
    if (a[0].kind != Kind::Storage)
      fail("BadArgs", "_rebuild_tensor_v2: first argument is not a storage");
    if (a[1].kind != Kind::Int || a[4].kind != Kind::Bool || a[5].kind != Kind::Dict ||
        !a[5].c->entries.empty())
      fail("BadArgs", "_rebuild_tensor_v2 arguments have the wrong types");
    if (a.size() == 7 && !empty_dict(a[6]))
      fail("BadArgs", "_rebuild_tensor_v2: tensor metadata (conj/neg bits) is not supported");
    auto t = std::make_shared<RawTensor>();
    t->storage = a[0].storage;
    t->offset = a[1].i;
    t->sizes = int_tuple(a[2], "size");
    t->strides = int_tuple(a[3], "stride");
    t->requires_grad = a[4].b;
    check_tensor_bounds(*t);
    Value v;
    v.kind = Kind::Tensor;
    v.tensor = std::move(t);
    return v;
  }

  void build() {
    Value state = pop();
    Value& inst = top();
    if (inst.kind != Kind::Dict || !inst.c->ordered || state.kind != Kind::Dict || state.c->ordered)
      fail("DisallowedBuild", std::string("BUILD on a ") + kind_name(inst) + " is not allowed");
    if (inst.c->sealed)
      fail("PickleStackError", "BUILD on an OrderedDict already inside another object");
    adopt(*inst.c, state);
    for (auto& e : state.c->entries) inst.c->attrs.push_back(e);
  }

  Value persistent_load(const Value& pid) {
    const bool shape_ok = pid.kind == Kind::Tuple && pid.c->items.size() == 5;
    const std::vector<Value>* it = shape_ok ? &pid.c->items : nullptr;
    if (!it || (*it)[0].kind != Kind::Str || *(*it)[0].s != "storage")
      fail("BadPersistentId", "only ('storage', ...) persistent ids are allowed");
    const Value &cls = (*it)[1], &key = (*it)[2], &loc = (*it)[3], &numel = (*it)[4];
    if (cls.kind != Kind::Global || cls.tag != Tag::StorageType || key.kind != Kind::Str ||
        loc.kind != Kind::Str || numel.kind != Kind::Int || numel.i < 0)
      fail("BadPersistentId", "expected ('storage', torch.<X>Storage, key, location, numel)");
    Value v;
    v.kind = Kind::Storage;
    auto found = storages_.find(*key.s);
    if (found != storages_.end()) {
      if (found->second->elem != cls.elem || found->second->numel != static_cast<uint64_t>(numel.i))
        fail("StorageDtypeConflict", "storage '" + *key.s + "' is used with two dtypes or sizes");
      v.storage = found->second;
    } else {
      v.storage = load_(*key.s, cls.elem, static_cast<uint64_t>(numel.i));
      storages_.emplace(*key.s, v.storage);
    }
    return v;
  }

  const uint8_t* p_;
  const uint8_t* end_;
  const uint8_t* start_;
  const StorageLoader& load_;
  std::vector<Value> stack_;
  std::vector<std::vector<Value>> marks_;
  std::unordered_map<uint32_t, Value> memo_;
  std::unordered_map<std::string, std::shared_ptr<RawStorage>> storages_;
  uint64_t created_ = 0;
};

}  // namespace

Value unpickle(const uint8_t* data, size_t size, const StorageLoader& load_storage) {
  return Machine(data, size, load_storage).run();
}

// ---- writer ----

PickleWriter::PickleWriter() : out_("\x80\x02", 2) {}

void PickleWriter::put_memo() {
  const uint32_t id = next_memo_++;
  if (id < 256) {
    out_ += 'q';
    out_ += static_cast<char>(id);
  } else {
    out_ += 'r';
    for (int k = 0; k < 4; ++k) out_ += static_cast<char>(id >> (8 * k));
  }
}

void PickleWriter::get_memo(uint32_t id) {
  if (id < 256) {
    out_ += 'h';
    out_ += static_cast<char>(id);
  } else {
    out_ += 'j';
    for (int k = 0; k < 4; ++k) out_ += static_cast<char>(id >> (8 * k));
  }
}

void PickleWriter::global(const char* module, const char* name) {
  out_ += 'c';
  out_ += module;
  out_ += '\n';
  out_ += name;
  out_ += '\n';
}

void PickleWriter::str(const std::string& s) {
  out_ += 'X';
  const uint32_t n = static_cast<uint32_t>(s.size());
  for (int k = 0; k < 4; ++k) out_ += static_cast<char>(n >> (8 * k));
  out_ += s;
}

void PickleWriter::integer(int64_t v) {
  if (v >= 0 && v < 256) {
    out_ += 'K';
    out_ += static_cast<char>(v);
  } else if (v >= 0 && v < 65536) {
    out_ += 'M';
    out_ += static_cast<char>(v);
    out_ += static_cast<char>(v >> 8);
  } else if (v >= INT32_MIN && v <= INT32_MAX) {
    out_ += 'J';
    for (int k = 0; k < 4; ++k) out_ += static_cast<char>(static_cast<uint64_t>(v) >> (8 * k));
  } else {
    // LONG1: minimal little-endian two's complement.
    int n = 8;
    while (n > 1) {
      const int64_t hi = v >> (8 * (n - 1) - 1);
      if (hi != 0 && hi != -1) break;
      --n;
    }
    out_ += '\x8a';
    out_ += static_cast<char>(n);
    for (int k = 0; k < n; ++k) out_ += static_cast<char>(static_cast<uint64_t>(v) >> (8 * k));
  }
}

void PickleWriter::int_tuple(const std::vector<int64_t>& v) {
  if (v.empty()) {
    out_ += ')';
    return;
  }
  if (v.size() > 3) out_ += '(';
  for (int64_t x : v) integer(x);
  out_ += v.size() == 1 ? '\x85' : v.size() == 2 ? '\x86' : v.size() == 3 ? '\x87' : 't';
}

void PickleWriter::empty_ordered_dict() {
  global("collections", "OrderedDict");
  out_ += ")R";
}

void PickleWriter::begin_dict(bool ordered) {
  if (ordered)
    empty_ordered_dict();
  else
    out_ += '}';
}

void PickleWriter::tensor(const TensorRef& t) {
  if (auto it = tensor_memo_.find(t.identity); it != tensor_memo_.end()) {
    get_memo(it->second);
    return;
  }
  if (t.is_parameter) global("torch._utils", "_rebuild_parameter");
  global("torch._utils", "_rebuild_tensor_v2");
  out_ += "((";
  str("storage");
  global("torch", elem_info(t.elem).storage_class);
  str(t.key);
  str("cpu");
  integer(static_cast<int64_t>(t.storage_numel));
  out_ += "tQ";
  integer(t.offset);
  int_tuple(t.sizes);
  int_tuple(t.strides);
  out_ += (t.is_parameter || !t.requires_grad) ? '\x89' : '\x88';
  empty_ordered_dict();
  out_ += "tR";
  if (t.is_parameter) {
    out_ += t.requires_grad ? '\x88' : '\x89';
    empty_ordered_dict();
    out_ += "\x87R";
  }
  tensor_memo_[t.identity] = next_memo_;
  put_memo();
}

void PickleWriter::dict_items(const std::vector<std::pair<std::string, TensorRef>>& items) {
  for (size_t i = 0; i < items.size(); i += 1000) {
    const size_t n = std::min<size_t>(1000, items.size() - i);
    if (n > 1) out_ += '(';
    for (size_t k = i; k < i + n; ++k) {
      str(items[k].first);
      tensor(items[k].second);
    }
    out_ += n > 1 ? 'u' : 's';
  }
}

void PickleWriter::none() { out_ += 'N'; }

void PickleWriter::boolean(bool v) { out_ += v ? '\x88' : '\x89'; }

void PickleWriter::real(double v) {
  out_ += 'G';  // BINFLOAT: big-endian IEEE double
  uint64_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  for (int k = 7; k >= 0; --k) out_ += static_cast<char>(bits >> (8 * k));
}

void PickleWriter::begin_sequence(bool list) { out_ += list ? "](" : "("; }

void PickleWriter::end_sequence(bool list) { out_ += list ? 'e' : 't'; }

void PickleWriter::begin_items() { out_ += '('; }

void PickleWriter::end_items() { out_ += 'u'; }

std::string PickleWriter::finish() { return out_ + "."; }

}  // namespace torchlite::io::detail
