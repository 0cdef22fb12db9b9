// `torchlite inspect FILE`: prints a checkpoint as print(torch.load(FILE)) does, or a table, or
// (--model) how its keys and shapes compare with a torchvision architecture.
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/model_zoo.h"
#include "torchlite/error.h"
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

// One line per key in the model's order (unexpected keys last), then the counts; throws (exit
// status 1) when the checkpoint would not load strictly.
void compare_with_model(const std::string& file, const std::string& name) {
  const nn::StateDict checkpoint = load(file);
  const nn::StateDict own = make_model(name)->state_dict();
  const KeyComparison c = compare_keys(own, checkpoint);
  size_t width = 0;
  for (const auto& [key, t] : own) width = std::max(width, key.size());
  for (const std::string& key : c.unexpected) width = std::max(width, key.size());
  const int w = static_cast<int>(width);
  std::printf("%s against %s (torchvision 0.14): %zu keys in the checkpoint, %zu in the model\n",
              file.c_str(), name.c_str(), checkpoint.size(), own.size());
  size_t m = 0;
  for (const auto& [key, t] : own) {
    if (m < c.shape_mismatches.size() && c.shape_mismatches[m].key == key) {
      const auto& mm = c.shape_mismatches[m++];
      std::printf("  shape       %-*s  checkpoint %s, model %s\n", w, key.c_str(),
                  shape_text(mm.checkpoint).c_str(), shape_text(mm.model).c_str());
    } else if (checkpoint.contains(key)) {
      std::printf("  match       %-*s  %s\n", w, key.c_str(), shape_text(t.sizes()).c_str());
    } else {
      std::printf("  missing     %-*s  %s\n", w, key.c_str(), shape_text(t.sizes()).c_str());
    }
  }
  for (const std::string& key : c.unexpected)
    std::printf("  unexpected  %-*s  %s\n", w, key.c_str(),
                shape_text(checkpoint[key].sizes()).c_str());
  const std::string counts = std::to_string(c.matched.size()) + " match, " +
                             std::to_string(c.missing.size()) + " missing, " +
                             std::to_string(c.unexpected.size()) + " unexpected, " +
                             std::to_string(c.shape_mismatches.size()) + " shape mismatches";
  std::printf("%s\n", counts.c_str());
  std::fflush(stdout);
  if (!c.ok()) throw Error(file + " does not load strictly into " + name + ": " + counts);
}

}  // namespace

void register_inspect_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("inspect",
                                 "Print a checkpoint (.pt/.pth/.bin or .safetensors) as "
                                 "print(torch.load(FILE)) does");
  auto file = std::make_shared<std::string>();
  auto summary = std::make_shared<bool>(false);
  auto model = std::make_shared<std::string>();
  cmd->add_option("FILE", *file, "checkpoint to read (never executes anything it names)")
      ->required();
  auto* summary_flag =
      cmd->add_flag("--summary", *summary,
                    "print a table (name, dtype, shape, numel, bytes) with totals instead");
  cmd->add_option("--model", *model,
                  "compare the state dict's keys and shapes with this torchvision architecture "
                  "(exit status 1 when any is missing, unexpected or of another shape)")
      ->check(CLI::IsMember(model_names()))
      ->excludes(summary_flag);
  cmd->callback([file, summary, model] {
    if (!model->empty()) return compare_with_model(*file, *model);
    const io::Object o = io::load_object(*file);
    if (*summary)
      print_summary(o);
    else
      std::printf("%s\n", io::repr(o).c_str());
  });
}

}  // namespace torchlite::cli
