"""dmc.py: drive a model compiled by dmc from Python (ctypes and NumPy only).

Compile the model into a shared library, which holds the model and the
runtime (libdmrt), then load it:

    $ dmc --emit=shared mlp.dm -o mlp.so

    import dmc
    m = dmc.Model("mlp.so", seed=1)        # dm_new; the only model of the file
    m["x"][:] = x; m["y"][:] = y            # NumPy views of the instance's tensors
    loss = m.train_step()                   # dm_train_step

Every tensor of the model (inputs, outputs, parameters, gradients, optimizer
state, the loss) is a NumPy array that shares the instance's memory: writing
to it changes the model, and it reflects every entry call without copying.
A view keeps its instance alive.  Runtime failures raise dmc.Error with the
runtime's code (dmc.Error.code, a negative DM_E... value) and message.

The descriptor structs are mirrored with ctypes (ABI version 5 of
runtime/dm.h); tests/python/layout.test.sh checks the mirror against the C
compiler's layout.  See docs/python.md.
"""
import ctypes
import os

import numpy as np

ABI_VERSION = 5
MAX_RANK = 8

KINDS = ("input", "output", "param", "grad", "state", "loss", "buffer")
ENTRIES = ("forward", "train_step", "gradients", "apply")   # bit i of Tensor.reads
_DTYPES = (np.float32, np.int32)
_CTYPES = (ctypes.c_float, ctypes.c_int32)

ERRORS = {0: "DM_OK", -1: "DM_EINVAL", -2: "DM_ENOMEM", -3: "DM_EIO", -4: "DM_EFORMAT", -5: "DM_EMISMATCH",
          -6: "DM_ENUMERIC", -7: "DM_EABI", -8: "DM_EUNSUPPORTED", -9: "DM_ERANGE", -10: "DM_EPEER"}


class Error(Exception):
    """A runtime failure: code (a negative DM_E... value) and the runtime's message."""

    def __init__(self, code, message):
        super().__init__(f"{message} ({ERRORS.get(code, code)})")
        self.code = code
        self.message = message


# ---- the descriptor (runtime/dm.h), mirrored -----------------------------------------


class _Init(ctypes.Structure):
    _fields_ = [("kind", ctypes.c_int), ("a", ctypes.c_double), ("b", ctypes.c_double),
                ("fan_in", ctypes.c_int64), ("fan_out", ctypes.c_int64), ("data", ctypes.c_void_p)]


class _TensorDesc(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("dims", ctypes.POINTER(ctypes.c_int64)),
                ("init", ctypes.POINTER(_Init)), ("count", ctypes.c_int64), ("offset", ctypes.c_uint64),
                ("bytes", ctypes.c_uint64), ("kind", ctypes.c_int), ("dtype", ctypes.c_int), ("param", ctypes.c_int),
                ("rank", ctypes.c_uint8), ("reads", ctypes.c_uint8), ("flags", ctypes.c_uint8),
                ("lo", ctypes.c_int32), ("hi", ctypes.c_int32)]


class _ModelDesc(ctypes.Structure):
    _fields_ = [("abi_version", ctypes.c_uint32), ("name", ctypes.c_char_p), ("data_size", ctypes.c_uint64),
                ("scratch_offset", ctypes.c_uint64), ("scratch_size", ctypes.c_uint64),
                ("ntensors", ctypes.c_int), ("tensors", ctypes.POINTER(_TensorDesc)),
                ("forward", ctypes.c_void_p), ("train_step", ctypes.c_void_p), ("gradients", ctypes.c_void_p),
                ("apply", ctypes.c_void_p), ("seed_stream", ctypes.c_uint64), ("cpu_features", ctypes.c_char_p),
                ("cpu", ctypes.c_char_p), ("nvariants", ctypes.c_int), ("variants", ctypes.c_void_p)]


_HAS_RANGE = 1   # DM_TENSOR_HAS_RANGE


class Tensor:
    """One tensor of the model, as its descriptor says."""

    def __init__(self, d):
        self.name = d.name.decode()
        self.kind = KINDS[d.kind]
        self.dtype = np.dtype(_DTYPES[d.dtype])
        self.shape = tuple(int(d.dims[k]) for k in range(d.rank))
        self.count = int(d.count)
        self.offset = int(d.offset)
        self.reads = tuple(e for i, e in enumerate(ENTRIES) if d.reads >> i & 1)
        self.range = (int(d.lo), int(d.hi)) if d.flags & _HAS_RANGE else None

    def __repr__(self):
        extra = f", range={self.range}" if self.range else ""
        return f"Tensor({self.name!r}, {self.kind}, {self.dtype.name}{list(self.shape)}{extra})"


# ---- the library ------------------------------------------------------------------------


_SIGNATURES = {
    "dm_new": (ctypes.c_void_p, [ctypes.POINTER(_ModelDesc), ctypes.c_uint64]),
    "dm_free": (None, [ctypes.c_void_p]),
    "dm_data": (ctypes.c_void_p, [ctypes.c_void_p, ctypes.c_char_p]),
    "dm_grad": (ctypes.c_void_p, [ctypes.c_void_p, ctypes.c_char_p]),
    "dm_forward": (ctypes.c_int, [ctypes.c_void_p]),
    "dm_train_step": (ctypes.c_int, [ctypes.c_void_p, ctypes.POINTER(ctypes.c_float)]),
    "dm_gradients": (ctypes.c_int, [ctypes.c_void_p, ctypes.POINTER(ctypes.c_float)]),
    "dm_apply": (ctypes.c_int, [ctypes.c_void_p]),
    "dm_save": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_char_p]),
    "dm_load": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_char_p]),
    "dm_save_buffer": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t,
                                      ctypes.POINTER(ctypes.c_size_t)]),
    "dm_load_buffer": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t]),
    "dm_last_error": (ctypes.c_char_p, []),
    "dm_last_error_code": (ctypes.c_int, []),
    "dm_tensor_count": (ctypes.c_int, [ctypes.c_void_p]),
    "dm_tensor_at": (ctypes.POINTER(_TensorDesc), [ctypes.c_void_p, ctypes.c_int]),
    "dm_reinit": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_uint64]),
    "dm_set_threads": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_int]),
    "dm_threads": (ctypes.c_int, [ctypes.c_void_p]),
    "dm_set_learning_rate": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_float]),
    "dm_learning_rate": (ctypes.c_float, [ctypes.c_void_p]),
    "dm_set_metadata": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p]),
    "dm_metadata_count": (ctypes.c_int, [ctypes.c_void_p]),
    "dm_metadata_at": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_int, ctypes.POINTER(ctypes.c_char_p),
                                      ctypes.POINTER(ctypes.c_char_p)]),
    "dm_load_skipped": (ctypes.c_int, [ctypes.c_void_p, ctypes.POINTER(ctypes.c_char_p)]),
    "dm_check_inputs": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_int]),
}


class Library:
    """A shared library made by `dmc --emit=shared`: its models and the runtime."""

    def __init__(self, path):
        self.path = os.path.abspath(path)
        self.dll = ctypes.CDLL(self.path)
        for name, (res, args) in _SIGNATURES.items():
            fn = getattr(self.dll, name)
            fn.restype, fn.argtypes = res, args
        # dm_models: the NULL-terminated table of the file's descriptors
        first = ctypes.c_void_p.in_dll(self.dll, "dm_models")   # the array's first element
        table = ctypes.cast(ctypes.addressof(first), ctypes.POINTER(ctypes.POINTER(_ModelDesc)))
        self.models = {}
        i = 0
        while table[i]:
            self.models[table[i].contents.name.decode()] = table[i]
            i += 1

    def descriptor(self, model=None):
        if model is None:
            if len(self.models) != 1:
                raise ValueError(f"{self.path} holds models {sorted(self.models)}: say which")
            model = next(iter(self.models))
        if model not in self.models:
            raise ValueError(f"{self.path} has no model {model!r} (it has {sorted(self.models)})")
        d = self.models[model]
        if d.contents.abi_version != ABI_VERSION:
            raise Error(-7, f"model {model!r} has runtime ABI {d.contents.abi_version}, dmc.py speaks {ABI_VERSION}")
        return d

    def fail(self, code=None):
        code = self.dll.dm_last_error_code() if code is None else code
        return Error(code, self.dll.dm_last_error().decode(errors="replace"))


_libraries = {}


def library(path):
    """The Library for path, loaded once per process."""
    key = os.path.abspath(path)
    if key not in _libraries:
        _libraries[key] = Library(path)
    return _libraries[key]


# ---- instances ------------------------------------------------------------------------


class Model:
    """One instance of a compiled model (dm_new).

    m[name]            the tensor's NumPy array (no copy), any kind ("fc.W",
                       "x", "grad/fc.W", "opt/m/fc.W", "loss")
    m[name] = value    copies in (NumPy rules; a torch.Tensor is accepted)
    m.assign(dict)     the same for many
    m.grad(param)      the parameter's gradient array
    m.tensors          {name: Tensor} in descriptor order
    m.params           {name: array} of the parameters
    m.forward(); m.train_step() -> loss; m.gradients() -> loss; m.apply()
    m.save(path); m.load(path); m.metadata (a dict copy); m.set_metadata(k, v)
    """

    def __init__(self, path, model=None, seed=0, threads=None):
        self.lib = library(path)
        self._dll = self.lib.dll
        self._desc = self.lib.descriptor(model)
        self.name = self._desc.contents.name.decode()
        self._m = self._dll.dm_new(self._desc, seed)
        if not self._m:
            raise self.lib.fail()
        n = self._dll.dm_tensor_count(self._m)
        self.tensors = {}
        for i in range(n):
            t = Tensor(self._dll.dm_tensor_at(self._m, i).contents)
            self.tensors[t.name] = t
        self._views = {}
        first = next(iter(self.tensors.values()), None)
        self._base = self._dll.dm_data(self._m, first.name.encode()) - first.offset if first else 0
        if threads is not None:
            self.threads = threads

    def __del__(self):
        if getattr(self, "_m", None):
            self._dll.dm_free(self._m)
            self._m = None

    def _check(self, rc):
        if rc != 0:
            raise self.lib.fail(rc)

    def _view(self, t, address):
        arr_t = _CTYPES[_DTYPES.index(t.dtype.type)] * t.count
        raw = arr_t.from_address(address)
        raw._owner = self                      # the view keeps the instance alive
        return np.ctypeslib.as_array(raw).reshape(t.shape)

    def __getitem__(self, name):
        if name not in self._views:
            t = self.tensors.get(name)
            if t is None:
                raise KeyError(f"model {self.name!r} has no tensor {name!r}")
            self._views[name] = self._view(t, self._dll.dm_data(self._m, name.encode()))
        return self._views[name]

    def __setitem__(self, name, value):
        if hasattr(value, "detach"):          # a torch.Tensor, possibly requiring grad
            value = value.detach().cpu().numpy()
        self[name][...] = value

    def assign(self, values):
        """m[name] = value for every item of a dict (NumPy arrays or torch tensors)."""
        for name, value in values.items():
            self[name] = value

    def __contains__(self, name):
        return name in self.tensors

    def grad(self, param):
        p = self._dll.dm_grad(self._m, param.encode())
        if not p:
            raise self.lib.fail()
        g = next(t for t in self.tensors.values() if t.kind == "grad" and t.offset == p - self._base)
        return self[g.name]

    def of_kind(self, kind):
        return {n: self[n] for n, t in self.tensors.items() if t.kind == kind}

    @property
    def params(self):
        return self.of_kind("param")

    @property
    def buffers(self):
        """Tensors not trained but kept (batch norm's running statistics)."""
        return self.of_kind("buffer")

    @property
    def inputs(self):
        return self.of_kind("input")

    @property
    def outputs(self):
        return self.of_kind("output")

    # entries
    def forward(self):
        self._check(self._dll.dm_forward(self._m))

    def train_step(self):
        loss = ctypes.c_float()
        self._check(self._dll.dm_train_step(self._m, ctypes.byref(loss)))
        return loss.value

    def gradients(self):
        loss = ctypes.c_float()
        self._check(self._dll.dm_gradients(self._m, ctypes.byref(loss)))
        return loss.value

    def apply(self):
        self._check(self._dll.dm_apply(self._m))

    def check_inputs(self, entry="train_step"):
        """Raises Error if an input the entry reads is outside its descriptor range."""
        self._check(self._dll.dm_check_inputs(self._m, ENTRIES.index(entry)))

    # checkpoints and settings
    def save(self, path):
        self._check(self._dll.dm_save(self._m, os.fsencode(path)))

    def load(self, path):
        """dm_load; returns the names the load skipped (dm_load_skipped)."""
        self._check(self._dll.dm_load(self._m, os.fsencode(path)))
        names = ctypes.c_char_p()
        n = self._dll.dm_load_skipped(self._m, ctypes.byref(names))
        return names.value.decode().split(", ") if n > 0 else []

    def save_bytes(self):
        """dm_save_buffer: the checkpoint dm_save would write, as bytes."""
        size = ctypes.c_size_t()
        self._check(self._dll.dm_save_buffer(self._m, None, 0, ctypes.byref(size)))
        buf = ctypes.create_string_buffer(size.value)
        self._check(self._dll.dm_save_buffer(self._m, buf, size.value, ctypes.byref(size)))
        return buf.raw[:size.value]

    def load_bytes(self, data):
        """dm_load_buffer: a checkpoint from bytes (on any error the model is unchanged)."""
        self._check(self._dll.dm_load_buffer(self._m, bytes(data), len(data)))

    def reinit(self, seed):
        self._check(self._dll.dm_reinit(self._m, seed))

    @property
    def metadata(self):
        out = {}
        for i in range(self._dll.dm_metadata_count(self._m)):
            k, v = ctypes.c_char_p(), ctypes.c_char_p()
            self._check(self._dll.dm_metadata_at(self._m, i, ctypes.byref(k), ctypes.byref(v)))
            out[k.value.decode()] = v.value.decode()
        return out

    def set_metadata(self, key, value):
        """value None removes the key."""
        self._check(self._dll.dm_set_metadata(self._m, key.encode(), None if value is None else value.encode()))

    @property
    def threads(self):
        return self._dll.dm_threads(self._m)

    @threads.setter
    def threads(self, n):
        self._check(self._dll.dm_set_threads(self._m, n))

    @property
    def learning_rate(self):
        return self._dll.dm_learning_rate(self._m)

    @learning_rate.setter
    def learning_rate(self, lr):
        self._check(self._dll.dm_set_learning_rate(self._m, lr))

    def __repr__(self):
        return f"<dmc.Model {self.name!r} from {self.lib.path}: {len(self.tensors)} tensors>"


def load(path, model=None, seed=0, threads=None):
    """Model(path, model, seed, threads)."""
    return Model(path, model, seed, threads)
