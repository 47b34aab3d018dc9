"""A fitted net as plain Python and numpy: what pickle and ``skops.io`` store.

A fitted estimator's state holds no torch object and no pickled bytes: the
module's and the optimizer's state dicts as numpy arrays, the history as
lists of dicts, and the few numbers the net was built with. ``skops.io``
can then load it without trusting torch, and a model trained on a GPU loads
on a machine without one. The estimator rebuilds its net from its own
parameters and this state (:meth:`BaseScoreEstimator.__setstate__`).
"""

import warnings

import numpy as np
import torch
from skorch.history import History

from ._modules import MLP

__all__ = [
    "module_from_plain",
    "module_to_plain",
    "net_state",
    "restore_net",
    "restored_device",
    "to_plain",
    "to_tensors",
]

# What ``torch.nn.Module.__init__`` puts in every module's ``__dict__``.
_MODULE_INTERNALS = frozenset(vars(torch.nn.Module()))


def to_plain(value):
    """``value`` with every tensor a numpy array and every numpy scalar a
    Python number, through dicts, lists and tuples (a ``History`` becomes a
    list)."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().numpy()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {key: to_plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [to_plain(item) for item in value]
    if isinstance(value, tuple):
        return tuple(to_plain(item) for item in value)
    return value


def to_tensors(value, device):
    """The inverse of :func:`to_plain` for state dicts: arrays as tensors on
    ``device``."""
    if isinstance(value, np.ndarray):
        return torch.as_tensor(value).to(device)
    if isinstance(value, dict):
        return {key: to_tensors(item, device) for key, item in value.items()}
    if isinstance(value, list):
        return [to_tensors(item, device) for item in value]
    return value


def net_state(net):
    """What restores ``net`` (a fitted :class:`~sklearn_zopg._net.ScoreNet`):
    plain Python and numpy only."""
    alternate = net.__dict__.get("alternate_optimizer_")
    return {
        "module": to_plain(dict(net.module_.state_dict())),
        "optimizer": to_plain(net.optimizer_.state_dict()),
        "optimizer_class": _qualified_name(type(net.optimizer_)),
        "history": to_plain(list(net.history)),
        "phase": net.phase,
        "lr": float(net.lr),
        "seed": int(net.seed),
        "weight_decay": float(dict(net.callbacks_)["weight_decay"].weight_decay),
        # where the shuffles' and the step's draws stand: a loaded model (or
        # one moved between dask workers) continues their streams
        "generators": {
            purpose: {
                "device": generator.device.type,
                "state": generator.get_state().numpy(),
            }
            for purpose, generator in net.__dict__.get("generators_", {}).items()
        },
        # the "alternate" schedule's surrogate steps: their optimizer's
        # momenta and where the score/surrogate pattern stands
        "alternate_optimizer": to_plain(
            alternate.state_dict() if alternate is not None else None
        ),
        "score_phase_steps": int(net.__dict__.get("score_phase_steps_", 0)),
    }


def module_to_plain(module):
    """A module instance (a ``module`` parameter) as plain Python and numpy:
    its class, its own attributes, its parameters and buffers as arrays and
    its submodules likewise, so that ``skops.io`` stores it trusting only
    the module classes. Hooks registered on it are kept as they are (pickle
    stores them; skops cannot)."""
    internals = {
        key: value
        for key, value in vars(module).items()
        if key in _MODULE_INTERNALS
        and key not in ("_parameters", "_buffers", "_modules")
        and not (isinstance(value, dict) and not value)  # empty hook tables
        and key != "_non_persistent_buffers_set"
    }
    return {
        "class": type(module),
        "attributes": {
            key: value
            for key, value in vars(module).items()
            if key not in _MODULE_INTERNALS
        },
        "internals": internals,
        "parameters": {
            name: None if p is None else (to_plain(p), bool(p.requires_grad))
            for name, p in module._parameters.items()
        },
        "buffers": {
            name: None if b is None else to_plain(b)
            for name, b in module._buffers.items()
        },
        "non_persistent": sorted(module._non_persistent_buffers_set),
        "children": {
            name: None if child is None else module_to_plain(child)
            for name, child in module._modules.items()
        },
    }


def module_from_plain(state):
    """The module :func:`module_to_plain` describes, built without calling
    its class's ``__init__`` (its arguments are not known)."""
    module = state["class"].__new__(state["class"])
    torch.nn.Module.__init__(module)
    vars(module).update(state["internals"])
    for name, saved in state["parameters"].items():
        param = None
        if saved is not None:
            values, requires_grad = saved
            param = torch.nn.Parameter(torch.as_tensor(values), requires_grad)
        module.register_parameter(name, param)
    for name, values in state["buffers"].items():
        buffer = None if values is None else torch.as_tensor(values)
        persistent = name not in state["non_persistent"]
        module.register_buffer(name, buffer, persistent=persistent)
    for name, child in state["children"].items():
        module.add_module(name, None if child is None else module_from_plain(child))
    vars(module).update(state["attributes"])
    return module


def _qualified_name(cls):
    return f"{cls.__module__}.{cls.__qualname__}"


def restored_device(device):
    """``device``, or the CPU with a warning where CUDA is not available (as
    skorch loads a net saved on a GPU)."""
    device = torch.device(device)
    if device.type == "cuda" and not torch.cuda.is_available():
        warnings.warn(
            f"The model was fitted with device={str(device)!r}, but CUDA is not "
            "available here: it is loaded on the CPU. Set device='cpu' to "
            "silence this warning.",
            UserWarning,
            stacklevel=4,
        )
        return torch.device("cpu")
    return device


def _load_module(module, saved):
    """``module.load_state_dict(saved)``; the state of an MLP without an
    input map, loaded into one built with the map (``module_params``
    changed before loading), loads with the map off, as it was trained."""
    missing = set(module.state_dict()) - set(saved)
    if isinstance(module, MLP) and missing == {
        key for key in module.state_dict() if key.startswith("inputs.")
    }:
        module.load_state_dict(saved, strict=False)
        module.inputs = torch.nn.Identity()
        return
    module.load_state_dict(saved)


def restore_net(net, state):
    """Load ``state`` (from :func:`net_state`) into ``net``, a net built
    anew with the estimator's parameters, and return it."""
    device = next(net.module_.parameters()).device
    _load_module(net.module_, to_tensors(state["module"], device))
    net.set_params(phase=state["phase"], lr=state["lr"])
    net.initialize_optimizer()
    saved_class = state.get("optimizer_class", _qualified_name(type(net.optimizer_)))
    if saved_class == _qualified_name(type(net.optimizer_)):
        net.optimizer_.load_state_dict(to_tensors(state["optimizer"], device))
    # else the optimizer was changed (set_params between partial_fit calls):
    # another optimizer's momenta do not apply, it starts afresh
    net.history_ = History(state["history"])
    dict(net.callbacks_)["weight_decay"].weight_decay = state["weight_decay"]
    if state.get("alternate_optimizer") is not None:
        net.initialize_alternate_optimizer()
        net.alternate_optimizer_.load_state_dict(
            to_tensors(state["alternate_optimizer"], device)
        )
    net.score_phase_steps_ = state.get("score_phase_steps", 0)
    for purpose, saved in state.get("generators", {}).items():
        generator = net.generator(purpose)
        if generator.device.type == saved["device"]:  # else it draws afresh
            generator.set_state(torch.from_numpy(saved["state"].copy()))
    return net
