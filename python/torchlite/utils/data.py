"""torchlite.utils.data: Dataset, TensorDataset and DataLoader. A TensorDataset of two tensors
loads through the C++ DataLoader (PyTorch's batches and generator draws); other datasets go
through a Python loader with default_collate."""
from .. import _C

_Tensor = _C.Tensor


class Dataset:
    """A map-style dataset: __getitem__ and __len__."""

    def __getitem__(self, index):
        raise NotImplementedError("Subclasses of Dataset should implement __getitem__.")


class TensorDataset(Dataset):
    """Examples are the rows of the tensors (same first dimension)."""

    def __init__(self, *tensors):
        if not all(tensors[0].size(0) == t.size(0) for t in tensors):
            raise AssertionError("Size mismatch between tensors")
        self.tensors = tensors
        self._c = _C._data.TensorDataset(*tensors) if len(tensors) == 2 else None

    def __getitem__(self, index):
        return tuple(t[index] for t in self.tensors)

    def __len__(self):
        return self.tensors[0].size(0)


def default_collate(batch):
    """Stacks tensors, makes numbers tensors, and collates tuples/lists/dicts element-wise."""
    elem = batch[0]
    if isinstance(elem, _Tensor):
        return _C.stack(batch, 0)
    if isinstance(elem, (int, float)):
        return _C.tensor(batch)
    if isinstance(elem, dict):
        return {key: default_collate([d[key] for d in batch]) for key in elem}
    if isinstance(elem, (tuple, list)):
        return [default_collate(list(samples)) for samples in zip(*batch)]
    return batch


class DataLoader:
    """Batches of a dataset, in order or shuffled (PyTorch's arguments; workers are threads in
    the C++ loader and ignored by the Python one)."""

    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None,
                 num_workers=0, collate_fn=None, pin_memory=False, drop_last=False, timeout=0,
                 worker_init_fn=None, multiprocessing_context=None, generator=None, *,
                 prefetch_factor=2, persistent_workers=False, pin_memory_device=""):
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = bool(shuffle)
        self.drop_last = drop_last
        self.num_workers = num_workers
        self.generator = generator
        self.collate_fn = collate_fn or default_collate
        self._c = None
        if (getattr(dataset, "_c", None) is not None and sampler is None and batch_sampler is None
                and collate_fn is None and batch_size is not None):
            self._c = _C._data.DataLoader(dataset._c, batch_size, self.shuffle, num_workers,
                                          drop_last, generator)

    def __iter__(self):
        if self._c is not None:
            return iter(self._c)
        return self._python_iter()

    def _python_iter(self):
        n = len(self.dataset)
        order = _C.randperm(n, generator=self.generator).tolist() if self.shuffle else range(n)
        batch = []
        for i in order:
            batch.append(self.dataset[i])
            if len(batch) == self.batch_size:
                yield self.collate_fn(batch)
                batch = []
        if batch and not self.drop_last:
            yield self.collate_fn(batch)

    def __len__(self):
        if self._c is not None:
            return len(self._c)
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)


__all__ = ["DataLoader", "Dataset", "TensorDataset", "default_collate"]
