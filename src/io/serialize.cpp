// Public checkpoint API: torchlite tensors and state dicts to and from .pt and safetensors,
// atomic file replacement, and Python's repr of loaded objects.
#include "torchlite/io/serialize.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <unordered_map>

#include "core/tensor_util.h"
#include "io/formats.h"

namespace torchlite {

using io::Object;
using namespace io::detail;

namespace {

// ---------------------------------------------------------------- format selection

std::string lower_extension(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  const size_t dot = path.find_last_of('.');
  if (dot == std::string::npos || (slash != std::string::npos && dot < slash)) return "";
  std::string ext = path.substr(dot);
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext;
}

std::optional<CheckpointFormat> format_by_extension(const std::string& path) {
  const std::string ext = lower_extension(path);
  if (ext == ".pt" || ext == ".pth" || ext == ".bin" || ext == ".ckpt" || ext == ".tar")
    return CheckpointFormat::Torch;
  if (ext == ".safetensors") return CheckpointFormat::Safetensors;
  return std::nullopt;
}

CheckpointFormat format_by_content(const Bytes& b) {
  // Zip archives start with "PK"; legacy torch.save streams with PROTO (0x80).
  if (b.size >= 2 && ((b.data[0] == 'P' && b.data[1] == 'K') || b.data[0] == 0x80))
    return CheckpointFormat::Torch;
  return CheckpointFormat::Safetensors;
}

// ---------------------------------------------------------------- raw -> torchlite


class Converter {
 public:
  Tensor tensor(const std::shared_ptr<RawTensor>& raw, const std::string& where) {
    if (auto it = tensors_.find(raw.get()); it != tensors_.end()) return it->second;
    const ElemInfo& info = elem_info(raw->storage->elem);
    if (!info.dtype)
      fail("UnsupportedDtype",
           where + " is a " + info.torch_name + " tensor, which torchlite does not support");
    auto impl = std::make_shared<TensorImpl>();
    impl->storage = storage(raw->storage);
    impl->dtype = *info.dtype;
    impl->sizes = Sizes(raw->sizes);
    impl->strides = raw->strides;
    impl->offset = raw->offset;
    impl->requires_grad = raw->requires_grad;
    impl->is_parameter = raw->is_parameter;
    Tensor t(std::move(impl));
    tensors_.emplace(raw.get(), t);
    return t;
  }

  Object object(const Value& v, const std::string& where) {
    Object o;
    using K = Value::Kind;
    switch (v.kind) {
      case K::None:
        break;
      case K::Bool:
        o.kind = Object::Kind::Bool;
        o.b = v.b;
        break;
      case K::Int:
        o.kind = Object::Kind::Int;
        o.i = v.i;
        break;
      case K::Float:
        o.kind = Object::Kind::Float;
        o.f = v.f;
        break;
      case K::Str:
        o.kind = Object::Kind::Str;
        o.s = *v.s;
        break;
      case K::Tuple:
      case K::List:
        o.kind = v.kind == K::Tuple ? Object::Kind::Tuple : Object::Kind::List;
        for (size_t k = 0; k < v.c->items.size(); ++k)
          o.items.push_back(object(v.c->items[k], where + "[" + std::to_string(k) + "]"));
        break;
      case K::Dict:
        o.kind = v.c->ordered ? Object::Kind::OrderedDict : Object::Kind::Dict;
        for (const auto& [key, val] : v.c->entries) {
          const std::string name = key.kind == K::Str ? *key.s : std::to_string(key.i);
          o.entries.push_back({object(key, where), object(val, where + "['" + name + "']")});
        }
        for (const auto& [key, val] : v.c->attrs)
          o.attrs.push_back({object(key, where), object(val, where)});
        break;
      case K::Tensor:
        o.kind = Object::Kind::Tensor;
        o.tensor = tensor(v.tensor, where);
        break;
      case K::Global:
      case K::Storage:
        fail("BadArgs", where + " is a bare class or storage, not data");
    }
    return o;
  }

 private:
  std::shared_ptr<Storage> storage(const std::shared_ptr<RawStorage>& raw) {
    if (auto it = storages_.find(raw.get()); it != storages_.end()) return it->second;
    auto s = std::make_shared<Storage>();
    s->nbytes = raw->nbytes;
    const size_t align = elem_size(raw->elem);
    if (reinterpret_cast<uintptr_t>(raw->data) % align == 0) {
      // Alias the file buffer or mapping: no copy, and the mapping lives as long as a tensor.
      s->data = std::shared_ptr<void>(raw->owner, const_cast<uint8_t*>(raw->data));
    } else {
      Bytes copy = copy_bytes(raw->data, raw->nbytes);
      s->data = std::shared_ptr<void>(copy.owner, copy.owner.get());
    }
    storages_.emplace(raw.get(), s);
    return s;
  }

  std::unordered_map<const RawStorage*, std::shared_ptr<Storage>> storages_;
  std::unordered_map<const RawTensor*, Tensor> tensors_;
};

// ---------------------------------------------------------------- torchlite -> raw

// A view of a torchlite tensor's storage as a RawTensor, or nullopt if its geometry cannot be
// written as-is (no storage, negative strides, or a storage that is not whole elements).
std::optional<RawTensor> raw_view(const Tensor& t) {
  const TensorImpl* impl = t.impl();
  const Elem elem = elem_from_dtype(impl->dtype);
  const Storage* st = impl->storage.get();
  const uint64_t isz = elem_size(elem);
  if (!st || (!st->data && st->nbytes) || st->nbytes % isz) return std::nullopt;
  RawTensor r;
  r.storage = std::make_shared<RawStorage>();
  r.storage->elem = elem;
  r.storage->numel = st->nbytes / isz;
  r.storage->nbytes = st->nbytes;
  r.storage->data = static_cast<const uint8_t*>(st->data.get());
  r.offset = impl->offset;
  r.sizes = impl->sizes;
  r.strides = impl->strides;
  try {
    check_tensor_bounds(r);
  } catch (const io::FormatError&) {
    return std::nullopt;
  }
  return r;
}

RawTensor checked_view(const Tensor& t, const std::string& name) {
  std::optional<RawTensor> r = raw_view(t);
  TL_CHECK(r.has_value(), "torchlite.save: tensor '", name,
           "' has a storage layout that cannot be saved");
  return *std::move(r);
}

std::vector<uint8_t> tensor_bytes(const Tensor& t, const std::string& name) {
  return contiguous_bytes(checked_view(t, name));
}

// True when the view's elements lie in row-major order without gaps from its offset on
// (strides of size-1 dimensions do not matter).
bool row_major(const RawTensor& r) {
  int64_t expected = 1;
  for (size_t d = r.sizes.size(); d-- > 0;) {
    if (r.sizes[d] == 0) return true;
    if (r.sizes[d] != 1 && r.strides[d] != expected) return false;
    expected *= r.sizes[d];
  }
  return true;
}

// The tensor's row-major bytes: its storage itself when the view is row-major, otherwise a
// copy appended to `copies` (which must outlive the write).
std::pair<const uint8_t*, uint64_t> row_major_bytes(const Tensor& t, const std::string& name,
                                                    std::vector<std::vector<uint8_t>>& copies) {
  const RawTensor r = checked_view(t, name);
  if (!row_major(r)) {
    copies.push_back(contiguous_bytes(r));
    return {copies.back().data(), copies.back().size()};
  }
  const uint64_t isz = elem_size(r.storage->elem);
  const auto numel = static_cast<uint64_t>(checked_numel(r.sizes));
  if (numel == 0) return {nullptr, 0};
  return {r.storage->data + static_cast<uint64_t>(r.offset) * isz, numel * isz};
}

// Writes a file through a temporary beside it, then renames it into place.
void write_atomic(const std::string& path, const std::function<void(std::FILE*)>& body) {
  std::string tmp = path + ".tmp-XXXXXX";
  const int fd = ::mkstemp(tmp.data());
  TL_CHECK(fd >= 0, "torchlite.save: cannot create a file beside '", path,
           "': ", std::strerror(errno));
  const mode_t mask = ::umask(0);
  ::umask(mask);
  ::fchmod(fd, 0666 & ~mask);
  std::FILE* f = ::fdopen(fd, "wb");
  if (!f) {
    ::close(fd);
    ::unlink(tmp.c_str());
    throw Error("torchlite.save: cannot open '" + tmp + "'");
  }
  try {
    body(f);
    TL_CHECK(std::fflush(f) == 0 && ::fsync(fd) == 0, "torchlite.save: cannot write '", path,
             "': ", std::strerror(errno));
  } catch (...) {
    std::fclose(f);
    ::unlink(tmp.c_str());
    throw;
  }
  const bool closed = std::fclose(f) == 0;
  if (!closed || ::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    ::unlink(tmp.c_str());
    throw Error("torchlite.save: cannot write '" + path + "': " + why);
  }
}

CheckpointFormat save_format(const std::string& path, CheckpointFormat f) {
  if (f != CheckpointFormat::Auto) return f;
  auto by_ext = format_by_extension(path);
  TL_CHECK(by_ext.has_value(), "torchlite.save: cannot tell the format of '", path,
           "' from its extension; use .pt/.pth/.bin, .safetensors, or SaveOptions::format");
  return *by_ext;
}

// The storages of the tensors a torch.save archive references: views of one storage share it.
class PtStorages {
 public:
  /// The pickle reference of `t` (`name` for errors), adding its storage when new.
  PickleWriter::TensorRef ref(const std::string& name, const Tensor& t) {
    TL_CHECK(t.defined(), "torchlite.save: '", name, "' is an undefined tensor");
    const TensorImpl* impl = t.impl();
    PickleWriter::TensorRef r{impl,
                              elem_from_dtype(impl->dtype),
                              "",
                              0,
                              impl->offset,
                              impl->sizes,
                              impl->strides,
                              impl->requires_grad,
                              impl->is_parameter};
    const std::optional<RawTensor> view = raw_view(t);
    auto known = keys_.find(impl->storage.get());
    if (view && known != keys_.end() && known->second.second == r.elem) {
      r.key = known->second.first;
      r.storage_numel = view->storage->numel;
      return r;
    }
    r.key = std::to_string(storages_.size());
    if (view && known == keys_.end()) {
      keys_.emplace(impl->storage.get(), std::make_pair(r.key, r.elem));
      r.storage_numel = view->storage->numel;
      storages_.push_back({r.key, r.elem, view->storage->data, view->storage->nbytes});
      return r;
    }
    // A storage already written with another dtype: save an independent contiguous copy.
    copies_.push_back(tensor_bytes(t, name));
    r.offset = 0;
    const IntVector strides = detail::contiguous_strides(Sizes(r.sizes.begin(), r.sizes.end()));
    r.strides.assign(strides.begin(), strides.end());
    r.storage_numel = copies_.back().size() / elem_size(r.elem);
    storages_.push_back({r.key, r.elem, copies_.back().data(), copies_.back().size()});
    return r;
  }
  const std::vector<PtStorage>& storages() const { return storages_; }

 private:
  std::vector<PtStorage> storages_;
  std::vector<std::vector<uint8_t>> copies_;  // moving a vector keeps its buffer
  std::unordered_map<const Storage*, std::pair<std::string, Elem>> keys_;
};

// Serializes named tensors (or one unnamed top-level tensor) as a torch.save archive.
void save_pt(std::FILE* out, const std::vector<std::pair<std::string, Tensor>>& items, bool ordered,
             bool single) {
  PickleWriter pw;
  PtStorages storages;
  if (single) {
    pw.tensor(storages.ref("tensor", items.front().second));
  } else {
    std::vector<std::pair<std::string, PickleWriter::TensorRef>> refs;
    for (const auto& [name, t] : items) refs.emplace_back(name, storages.ref(name, t));
    pw.begin_dict(ordered);
    pw.dict_items(refs);
  }
  write_pt(out, pw.finish(), storages.storages());
}

// Pickles a weights-only object; `where` names the place for errors ("['model']['w']").
void pickle_object(PickleWriter& pw, PtStorages& storages, const Object& o,
                   const std::string& where) {
  switch (o.kind) {
    case Object::Kind::None: return pw.none();
    case Object::Kind::Bool: return pw.boolean(o.b);
    case Object::Kind::Int: return pw.integer(o.i);
    case Object::Kind::Float: return pw.real(o.f);
    case Object::Kind::Str:
      TL_CHECK(valid_utf8(reinterpret_cast<const uint8_t*>(o.s.data()), o.s.size()),
               "torchlite.save: string at ", where.empty() ? "top level" : where,
               " is not valid UTF-8");
      return pw.str(o.s);
    case Object::Kind::Tensor: return pw.tensor(storages.ref(where, o.tensor));
    case Object::Kind::Tuple:
    case Object::Kind::List:
      pw.begin_sequence(o.kind == Object::Kind::List);
      for (size_t i = 0; i < o.items.size(); ++i)
        pickle_object(pw, storages, o.items[i], where + "[" + std::to_string(i) + "]");
      return pw.end_sequence(o.kind == Object::Kind::List);
    case Object::Kind::Dict:
    case Object::Kind::OrderedDict:
      pw.begin_dict(o.kind == Object::Kind::OrderedDict);
      pw.begin_items();
      for (const auto& [key, value] : o.entries) {
        TL_CHECK(key.kind == Object::Kind::None || key.kind == Object::Kind::Bool ||
                     key.kind == Object::Kind::Int || key.kind == Object::Kind::Float ||
                     key.kind == Object::Kind::Str,
                 "torchlite.save: dict keys must be None, bool, int, float or str (at ",
                 where.empty() ? "top level" : where, ")");
        pickle_object(pw, storages, key, where);
        pickle_object(pw, storages, value, where + "[" + io::repr(key) + "]");
      }
      return pw.end_items();
  }
}

void save_st(std::FILE* out, const std::vector<std::pair<std::string, Tensor>>& items) {
  std::vector<StTensor> ts;
  std::vector<std::vector<uint8_t>> copies;
  for (const auto& [name, t] : items) {
    TL_CHECK(t.defined(), "torchlite.save: '", name, "' is an undefined tensor");
    const auto [data, nbytes] = row_major_bytes(t, name, copies);
    ts.push_back({name, elem_from_dtype(t.dtype()), t.sizes(), data, nbytes});
  }
  write_safetensors(out, std::move(ts), {{"format", "pt"}});
}

void save_items(const std::vector<std::pair<std::string, Tensor>>& items, bool ordered, bool single,
                const std::string& path, SaveOptions options) {
  const CheckpointFormat fmt = save_format(path, options.format);
  for (const auto& [name, t] : items) {
    TL_CHECK(valid_utf8(reinterpret_cast<const uint8_t*>(name.data()), name.size()),
             "torchlite.save: key '", name, "' is not valid UTF-8");
    TL_CHECK(fmt != CheckpointFormat::Safetensors || name != "__metadata__",
             "torchlite.save: '__metadata__' is reserved in safetensors and cannot name a tensor");
  }
  write_atomic(path, [&](std::FILE* f) {
    if (fmt == CheckpointFormat::Torch)
      save_pt(f, items, ordered, single);
    else
      save_st(f, items);
  });
}

// ---------------------------------------------------------------- Python repr

std::string repr_str(const std::string& s) {
  const bool dq = s.find('\'') != std::string::npos && s.find('"') == std::string::npos;
  const char q = dq ? '"' : '\'';
  std::string out(1, q);
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    char buf[8];
    if (c == static_cast<unsigned char>(q) || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f) {
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) < 0xA0) {
      // U+0080..U+009F are not printable in Python.
      std::snprintf(buf, sizeof buf, "\\x%02x", static_cast<unsigned char>(s[i + 1]));
      out += buf;
      ++i;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + q;
}

std::string repr_float(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v < 0 ? "-inf" : "inf";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  std::string sci(buf, res.ptr);
  const size_t e = sci.find('e');
  std::string mant = sci.substr(0, e);
  const int exp = std::stoi(sci.substr(e + 1));
  const bool neg = mant[0] == '-';
  if (neg) mant.erase(0, 1);
  std::string digits;
  for (char c : mant)
    if (c != '.') digits += c;
  std::string out;
  if (exp >= -4 && exp < 16) {
    if (exp < 0) {
      out = "0." + std::string(static_cast<size_t>(-exp - 1), '0') + digits;
    } else if (static_cast<size_t>(exp) + 1 >= digits.size()) {
      out = digits + std::string(static_cast<size_t>(exp) + 1 - digits.size(), '0') + ".0";
    } else {
      out = digits.substr(0, static_cast<size_t>(exp) + 1) + "." +
            digits.substr(static_cast<size_t>(exp) + 1);
    }
  } else {
    out = digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    char eb[16];
    std::snprintf(eb, sizeof eb, "e%c%02d", exp < 0 ? '-' : '+', std::abs(exp));
    out += eb;
  }
  return neg ? "-" + out : out;
}

void repr_into(std::string& out, const Object& o) {
  using K = Object::Kind;
  switch (o.kind) {
    case K::None:
      out += "None";
      return;
    case K::Bool:
      out += o.b ? "True" : "False";
      return;
    case K::Int:
      out += std::to_string(o.i);
      return;
    case K::Float:
      out += repr_float(o.f);
      return;
    case K::Str:
      out += repr_str(o.s);
      return;
    case K::Tensor:
      out += ::torchlite::repr(o.tensor);
      return;
    case K::Tuple:
    case K::List: {
      const bool tuple = o.kind == K::Tuple;
      out += tuple ? '(' : '[';
      for (size_t k = 0; k < o.items.size(); ++k) {
        if (k) out += ", ";
        repr_into(out, o.items[k]);
      }
      if (tuple && o.items.size() == 1) out += ',';
      out += tuple ? ')' : ']';
      return;
    }
    case K::Dict:
      out += '{';
      for (size_t k = 0; k < o.entries.size(); ++k) {
        if (k) out += ", ";
        repr_into(out, o.entries[k].key);
        out += ": ";
        repr_into(out, o.entries[k].value);
      }
      out += '}';
      return;
    case K::OrderedDict:
      if (o.entries.empty()) {
        out += "OrderedDict()";
        return;
      }
      out += "OrderedDict([";
      for (size_t k = 0; k < o.entries.size(); ++k) {
        if (k) out += ", ";
        out += '(';
        repr_into(out, o.entries[k].key);
        out += ", ";
        repr_into(out, o.entries[k].value);
        out += ')';
      }
      out += "])";
      return;
  }
}

const char* object_kind_name(const Object& o) {
  switch (o.kind) {
    case Object::Kind::None:
      return "None";
    case Object::Kind::Bool:
      return "bool";
    case Object::Kind::Int:
      return "int";
    case Object::Kind::Float:
      return "float";
    case Object::Kind::Str:
      return "str";
    case Object::Kind::Tuple:
      return "tuple";
    case Object::Kind::List:
      return "list";
    case Object::Kind::Dict:
      return "dict";
    case Object::Kind::OrderedDict:
      return "OrderedDict";
    case Object::Kind::Tensor:
      return "tensor";
  }
  return "?";
}

/// Opens and reads `path` once, picks the format once (the given one, else by extension, else
/// by content) and decodes it; returns the object and the format it was read as.
std::pair<Object, CheckpointFormat> load_with_format(const std::string& path, LoadOptions options) {
  const Bytes bytes = read_file(path, options.mmap_threshold);
  CheckpointFormat fmt = options.format;
  if (fmt == CheckpointFormat::Auto) {
    const std::optional<CheckpointFormat> by_ext = format_by_extension(path);
    fmt = by_ext ? *by_ext : format_by_content(bytes);
  }
  try {
    return {read_object(bytes, fmt), fmt};
  } catch (const io::FormatError& e) {
    throw io::FormatError(e.kind(), "torchlite.load: '" + path + "': " + e.what());
  }
}

}  // namespace

namespace io::detail {

Object read_object(const Bytes& bytes, CheckpointFormat fmt) {
  if (fmt == CheckpointFormat::Torch) return Converter().object(read_pt(bytes), "the checkpoint");
  SafetensorsFile st = read_safetensors(bytes);
  std::sort(st.tensors.begin(), st.tensors.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  Object o;
  o.kind = Object::Kind::Dict;
  for (auto& [name, raw] : st.tensors) {
    Object key, val;
    key.kind = Object::Kind::Str;
    key.s = name;
    val.kind = Object::Kind::Tensor;
    // Each safetensors entry is its own tensor: no converter cache (keyed by address) applies.
    val.tensor = Converter().tensor(std::make_shared<RawTensor>(raw), "'" + name + "'");
    o.entries.push_back({std::move(key), std::move(val)});
  }
  return o;
}

}  // namespace io::detail

// ---------------------------------------------------------------- public API

void save(const nn::StateDict& state_dict, const std::string& path, SaveOptions options) {
  std::vector<std::pair<std::string, Tensor>> items(state_dict.begin(), state_dict.end());
  save_items(items, state_dict.ordered, false, path, options);
}

void save(const Tensor& tensor, const std::string& path, SaveOptions options) {
  save_items({{"tensor", tensor}}, true, true, path, options);
}

namespace io {

void save(const Object& object, const std::string& path) {
  TL_CHECK(save_format(path, CheckpointFormat::Auto) == CheckpointFormat::Torch,
           "torchlite.save: '", path, "': safetensors holds only tensors; save an object as .pt");
  PickleWriter pw;
  PtStorages storages;
  pickle_object(pw, storages, object, "");
  const std::string pickle = pw.finish();
  write_atomic(path, [&](std::FILE* f) { write_pt(f, pickle, storages.storages()); });
}

CheckpointFormat detect_format(const std::string& path) {
  if (auto f = format_by_extension(path)) return *f;
  return format_by_content(read_file(path, 0));
}

Object load_object(const std::string& path, LoadOptions options) {
  return load_with_format(path, options).first;
}

std::string repr(const Object& object) {
  std::string out;
  repr_into(out, object);
  return out;
}

}  // namespace io

nn::StateDict load(const std::string& path, LoadOptions options) {
  Object o = io::load_object(path, options);
  TL_CHECK(o.kind == Object::Kind::Dict || o.kind == Object::Kind::OrderedDict, "torchlite.load: '",
           path, "' holds a ", object_kind_name(o), ", not a state dict",
           o.kind == Object::Kind::Tensor ? " (use torchlite::load_tensor)" : "");
  nn::StateDict sd(o.kind == Object::Kind::OrderedDict);
  for (auto& [key, val] : o.entries) {
    TL_CHECK(key.kind == Object::Kind::Str && val.kind == Object::Kind::Tensor, "torchlite.load: '",
             path, "' is not a state dict: entry ", io::repr(key), " holds a value of type ",
             object_kind_name(val),
             ", not a tensor (use torchlite::io::load_object for general checkpoints)");
    sd.insert(key.s, std::move(val.tensor));
  }
  return sd;
}

Tensor load_tensor(const std::string& path, LoadOptions options) {
  auto [o, fmt] = load_with_format(path, options);
  if (o.kind == Object::Kind::Tensor) return o.tensor;
  TL_CHECK(fmt == CheckpointFormat::Safetensors && o.entries.size() == 1,
           "torchlite.load_tensor: '", path, "' holds a ", object_kind_name(o),
           ", not a single tensor (use torchlite::load)");
  return o.entries.front().value.tensor;
}

}  // namespace torchlite
