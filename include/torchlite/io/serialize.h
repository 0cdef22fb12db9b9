// Saving and loading checkpoints in PyTorch's torch.save format (.pt/.pth/.bin) and in
// safetensors, without Python and without ever executing anything a file names.
// Mirrors https://pytorch.org/docs/stable/generated/torch.save.html and torch.load
// (with weights_only=True); docs/checkpoints.md describes formats and the security model.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "torchlite/io/errors.h"
#include "torchlite/nn/state_dict.h"
#include "torchlite/tensor.h"

namespace torchlite {

/// A checkpoint file format; Auto picks by extension (.pt/.pth/.bin: torch, .safetensors).
enum class CheckpointFormat { Auto, Torch, Safetensors };

struct SaveOptions {
  CheckpointFormat format = CheckpointFormat::Auto;
};

struct LoadOptions {
  /// Auto: by extension; an unknown extension is recognised by the file's first bytes.
  CheckpointFormat format = CheckpointFormat::Auto;
  /// Files at least this large are memory-mapped (copy-on-write) and tensors alias the
  /// mapping instead of being copied.
  size_t mmap_threshold = size_t{1} << 20;
};

/// Writes a state dict like torch.save(state_dict, path): an OrderedDict (or a plain dict when
/// `!state_dict.ordered`) that torch.load(path, weights_only=True) reads back bit for bit, views
/// and shared storages included; or a safetensors file (tensors made contiguous and
/// independent, metadata {"format": "pt"}). The file is replaced atomically: on any error the
/// old file is untouched and no partial file remains.
void save(const nn::StateDict& state_dict, const std::string& path, SaveOptions options = {});
/// Writes one tensor like torch.save(tensor, path); in safetensors it is named "tensor".
void save(const Tensor& tensor, const std::string& path, SaveOptions options = {});

/// Reads a state dict (a dict or OrderedDict of tensors) like torch.load(path,
/// weights_only=True): dtypes, shapes, views, shared storages and Parameters come back as
/// saved; `ordered` tells OrderedDict from dict. safetensors files load as a plain dict in
/// name order, as safetensors.torch.load_file returns them. Throws io::FormatError for a
/// malformed or disallowed file and torchlite::Error for I/O errors or other contents.
nn::StateDict load(const std::string& path, LoadOptions options = {});
/// Reads a file holding one tensor (torch.save(tensor, path)), or a safetensors file with
/// exactly one tensor.
Tensor load_tensor(const std::string& path, LoadOptions options = {});

namespace io {

/// What torch.load(path, weights_only=True) returns for any checkpoint torchlite can read:
/// nested dicts, lists, tuples, numbers, strings and tensors (e.g. {'epoch': 3, 'model': ...}).
struct Object {
  enum class Kind { None, Bool, Int, Float, Str, Tuple, List, Dict, OrderedDict, Tensor };
  struct Entry;
  Kind kind = Kind::None;
  bool b = false;
  int64_t i = 0;
  double f = 0;
  std::string s;
  Tensor tensor;
  std::vector<Object> items;   // Tuple, List
  std::vector<Entry> entries;  // Dict, OrderedDict
  std::vector<Entry> attrs;    // OrderedDict state, e.g. '_metadata'
};

/// A dict item.
struct Object::Entry {
  Object key;
  Object value;
};

/// Loads any weights-only checkpoint (see Object); tensors share storages as saved.
Object load_object(const std::string& path, LoadOptions options = {});
/// Writes an object like torch.save(obj, path) (.pt only), e.g. a training checkpoint
/// {'model': state_dict, 'vocab': [...], 'config': {...}} that torch.load(path,
/// weights_only=True) and load_object read back; tensors sharing a storage stay shared.
void save(const Object& object, const std::string& path);
/// Python's repr of the object, i.e. what print(torch.load(path)) prints.
std::string repr(const Object& object);
/// The file's format as Auto resolves it for `path` (by extension, then by content).
CheckpointFormat detect_format(const std::string& path);

}  // namespace io
}  // namespace torchlite
