// `torchlite inspect FILE`: prints a checkpoint as print(torch.load(FILE)) does, or a table.
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "torchlite/io/serialize.h"

namespace torchlite::cli {

namespace {

struct Row {
  std::string name, dtype, shape, numel, bytes;
};

std::string key_text(const io::Object& key) {
  return key.kind == io::Object::Kind::Str ? key.s : io::repr(key);
}

// Lists every tensor under `o`, named by its path of dict keys and list indices ("model.weight").
void collect(const io::Object& o, const std::string& name, std::vector<Row>& rows, int64_t& numel,
             int64_t& bytes) {
  auto join = [&](const std::string& part) { return name.empty() ? part : name + "." + part; };
  switch (o.kind) {
    case io::Object::Kind::Tensor: {
      const Tensor& t = o.tensor;
      std::string shape = "[";
      for (size_t d = 0; d < t.sizes().size(); ++d) {
        if (d) shape += ", ";
        shape += std::to_string(t.sizes()[d]);
      }
      shape += "]";
      const int64_t n = t.numel(), b = n * static_cast<int64_t>(t.element_size());
      rows.push_back({name.empty() ? "(tensor)" : name, dtype_name(t.dtype()).substr(6), shape,
                      std::to_string(n), std::to_string(b)});
      numel += n;
      bytes += b;
      return;
    }
    case io::Object::Kind::Dict:
    case io::Object::Kind::OrderedDict:
      for (const auto& [k, v] : o.entries) collect(v, join(key_text(k)), rows, numel, bytes);
      return;
    case io::Object::Kind::List:
    case io::Object::Kind::Tuple:
      for (size_t i = 0; i < o.items.size(); ++i)
        collect(o.items[i], join(std::to_string(i)), rows, numel, bytes);
      return;
    default:
      return;
  }
}

void print_summary(const io::Object& o) {
  std::vector<Row> rows;
  int64_t numel = 0, bytes = 0;
  collect(o, "", rows, numel, bytes);
  const Row head{"name", "dtype", "shape", "numel", "bytes"};
  const Row total{
      "total (" + std::to_string(rows.size()) + (rows.size() == 1 ? " tensor)" : " tensors)"), "",
      "", std::to_string(numel), std::to_string(bytes)};
  size_t w[5] = {0, 0, 0, 0, 0};
  for (const Row* r : {&head, &total}) {
    w[0] = std::max(w[0], r->name.size());
    w[3] = std::max(w[3], r->numel.size());
    w[4] = std::max(w[4], r->bytes.size());
  }
  w[1] = head.dtype.size();
  w[2] = head.shape.size();
  for (const Row& r : rows) {
    w[0] = std::max(w[0], r.name.size());
    w[1] = std::max(w[1], r.dtype.size());
    w[2] = std::max(w[2], r.shape.size());
    w[3] = std::max(w[3], r.numel.size());
    w[4] = std::max(w[4], r.bytes.size());
  }
  auto line = [&](const Row& r) {
    std::printf("%-*s  %-*s  %-*s  %*s  %*s\n", static_cast<int>(w[0]), r.name.c_str(),
                static_cast<int>(w[1]), r.dtype.c_str(), static_cast<int>(w[2]), r.shape.c_str(),
                static_cast<int>(w[3]), r.numel.c_str(), static_cast<int>(w[4]), r.bytes.c_str());
  };
  line(head);
  for (const Row& r : rows) line(r);
  line(total);
}

}  // namespace

void register_inspect_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("inspect",
                                 "Print a checkpoint (.pt/.pth/.bin or .safetensors) as "
                                 "print(torch.load(FILE)) does");
  auto file = std::make_shared<std::string>();
  auto summary = std::make_shared<bool>(false);
  cmd->add_option("FILE", *file, "checkpoint to read (never executes anything it names)")
      ->required();
  cmd->add_flag("--summary", *summary,
                "print a table (name, dtype, shape, numel, bytes) with totals instead");
  cmd->callback([file, summary] {
    const io::Object o = io::load_object(*file);
    if (*summary)
      print_summary(o);
    else
      std::printf("%s\n", io::repr(o).c_str());
  });
}

}  // namespace torchlite::cli
