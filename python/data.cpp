// The C++ side of torchlite.utils.data: TensorDataset over two tensors and its DataLoader, whose
// batches and generator draws are PyTorch's (torchlite/utils/data.py picks it when it applies).
#include "bindings.h"

namespace torchlite::python {
namespace {

/// One pass over a loader, as Python's iterator protocol wants it.
struct LoaderIter {
  std::shared_ptr<data::DataLoader> loader;
  data::DataLoader::Iterator it, end;
};

}  // namespace

void bind_data(py::module_& root) {
  py::module_ m = root.def_submodule("_data");
  py::class_<data::Dataset, std::shared_ptr<data::Dataset>>(m, "Dataset")
      .def("__len__", &data::Dataset::size);
  py::class_<data::TensorDataset, data::Dataset, std::shared_ptr<data::TensorDataset>>(m, "TensorDataset")
      .def(py::init<Tensor, Tensor>(), py::arg("x"), py::arg("y"))
      .def("__getitem__", [](const data::TensorDataset& d, int64_t i) {
        const int64_t n = d.size();
        if (i < -n || i >= n) throw py::index_error("index " + std::to_string(i) + " is out of bounds for dimension 0 with size " + std::to_string(n));
        auto [x, y] = d.get(i < 0 ? i + n : i);
        return py::make_tuple(x, y);
      });
  py::class_<LoaderIter>(m, "_LoaderIter")
      .def("__iter__", [](py::object self) { return self; })
      .def("__next__", [](LoaderIter& s) {
        if (s.it == s.end) throw py::stop_iteration();
        const auto& [x, y] = *s.it;
        py::list batch(2);
        batch[0] = x;
        batch[1] = y;
        ++s.it;
        return batch;
      });
  py::class_<data::DataLoader, std::shared_ptr<data::DataLoader>>(m, "DataLoader")
      .def(py::init([](std::shared_ptr<data::Dataset> dataset, int64_t batch_size, bool shuffle,
                       int64_t num_workers, bool drop_last, std::optional<Generator> gen) {
        return std::make_shared<data::DataLoader>(
            dataset, data::DataLoaderOptions{.batch_size = batch_size,
                                             .shuffle = shuffle,
                                             .num_workers = num_workers,
                                             .drop_last = drop_last,
                                             .generator = gen});
      }), py::arg("dataset"), py::arg("batch_size"), py::arg("shuffle"), py::arg("num_workers"),
          py::arg("drop_last"), py::arg("generator"))
      .def("__iter__", [](std::shared_ptr<data::DataLoader> l) {
        LoaderIter s{l, l->begin(), l->end()};
        return s;
      })
      .def("__len__", &data::DataLoader::size);
}

}  // namespace torchlite::python
