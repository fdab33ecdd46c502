"""Decoder for dlib's portable serialisation primitives (dlib/serialize.h, dnn/tensor.h).

dlib writes every integer as one header byte (low nibble = number of payload
bytes, bit 7 = negative) followed by the magnitude in little-endian order; a
float as that integer encoding of a 64-bit mantissa and a 16-bit exponent
(value = mantissa * 2**exponent, with reserved exponents for inf/nan); a string
as its length then its bytes; a bool as the character '0' or '1'; a tensor as
version, num_samples, k, nr, nc and then its values (version 1: portable floats,
version 2: raw little-endian IEEE float32).
"""

from __future__ import annotations

import builtins
import math
from dataclasses import dataclass

import numpy as np

# float_details' reserved exponents (dlib/float_details.h).
_EXP_INF = 32000
_EXP_NINF = 32001
_EXP_NAN = 32002

_MAX_INT_BYTES = 8
_MAX_STRING = 1 << 20
_MAX_TENSOR_VALUES = 1 << 28


class DlibFormatError(ValueError):
    """The bytes are not what dlib's serialisation would have written here."""


@dataclass(frozen=True)
class AliasShape:
    """An alias_tensor: a view's shape into a layer's parameter tensor (no data)."""

    num_samples: int
    k: int
    nr: int
    nc: int

    @property
    def size(self) -> int:
        return self.num_samples * self.k * self.nr * self.nc


class DlibReader:
    """A cursor over one dlib serialisation blob; every read checks bounds and says where."""

    def __init__(self, data: bytes) -> None:
        self._data = memoryview(data)
        self.pos = 0

    @property
    def remaining(self) -> int:
        return len(self._data) - self.pos

    def _take(self, n: int) -> memoryview:
        if n < 0 or self.pos + n > len(self._data):
            raise DlibFormatError(f"unexpected end of data at byte {self.pos} (wanted {n} bytes)")
        chunk = self._data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def int(self) -> int:
        start = self.pos
        header = self._take(1)[0]
        size = header & 0x0F
        if size > _MAX_INT_BYTES or header & 0x70:
            raise DlibFormatError(f"bad integer header 0x{header:02x} at byte {start}")
        value = int.from_bytes(self._take(size), "little") if size else 0
        return -value if header & 0x80 else value

    def float(self) -> float:
        mantissa = self.int()
        exponent = self.int()
        if exponent == _EXP_INF:
            return math.inf
        if exponent == _EXP_NINF:
            return -math.inf
        if exponent == _EXP_NAN:
            return math.nan
        return math.ldexp(mantissa, exponent)

    def bool(self) -> bool:
        start = self.pos
        ch = bytes(self._take(1))
        if ch not in (b"0", b"1"):
            raise DlibFormatError(f"bad bool {ch!r} at byte {start}")
        return ch == b"1"

    def string(self) -> str:
        start = self.pos
        length = self.int()
        if not 0 <= length <= _MAX_STRING:
            raise DlibFormatError(f"bad string length {length} at byte {start}")
        return bytes(self._take(length)).decode("latin-1")

    # builtins.int: inside the class body `int` is the method above.
    def expect_version(self, allowed: tuple[builtins.int, ...], what: str) -> builtins.int:
        start = self.pos
        version = self.int()
        if version not in allowed:
            raise DlibFormatError(f"{what}: version {version} at byte {start}, expected {allowed}")
        return version

    def tensor(self) -> np.ndarray:
        """A resizable_tensor as a float32 array shaped (num_samples, k, nr, nc)."""
        start = self.pos
        version = self.expect_version((1, 2), "tensor")
        shape = tuple(self.int() for _ in range(4))
        count = math.prod(shape)
        if min(shape) < 0 or count > _MAX_TENSOR_VALUES:
            raise DlibFormatError(f"bad tensor shape {shape} at byte {start}")
        if version == 2:
            raw = self._take(4 * count)
            values = np.frombuffer(raw, dtype="<f4").astype(np.float32)
        else:
            values = np.array([self.float() for _ in range(count)], dtype=np.float32)
        return values.reshape(shape)

    def alias_tensor(self) -> AliasShape:
        self.expect_version((1,), "alias_tensor")
        return AliasShape(*(self.int() for _ in range(4)))
