"""Reading and writing the physical part files of logical files, compressed or not.

A logical file with ``@blockCompressed=1`` keeps every part block-compressed on disk. HPCC
writes its own LZ4 block format there; this emulator is **not** byte-compatible with it (only
the emulator itself reads its parts) and uses a simple seekable format over zlib instead:

    magic "HEMUBZ01" | block 0 | block 1 | ... | index | trailer

* every block is the zlib stream of ``block_size`` raw bytes (the last block may be shorter);
* the index is one little-endian u64 per block: the file offset where the block starts;
* the 32-byte trailer is u64 raw size, u64 index offset, u32 block size, u32 block count
  and the magic again.

`open_part` is the one way to read a part: it returns a seekable binary file of the
*expanded* bytes, decompressing one block at a time (memory stays at about two blocks).
`PartWriter` wraps an output file and compresses what is written to it, block by block.
Compressed parts have no CRC (FC calcCRC: none is recorded for compressed output).
"""
from __future__ import annotations

import io
import os
import struct
import zlib
from typing import BinaryIO

from .errors import TransferError

MAGIC = b"HEMUBZ01"
BLOCK_SIZE = 1 << 20          # raw bytes per block
LEVEL = 1                     # zlib level: fast, the nearest thing to HPCC's LZ4
_TRAILER = struct.Struct("<QQII8s")
DFTERR_COULD_NOT_OPEN_COMPRESSED = 8100


class CompressedFileError(TransferError):
    code = DFTERR_COULD_NOT_OPEN_COMPRESSED

    def __init__(self, path: str):
        super().__init__(f"Could not open file {path} as compressed file")


def open_part(path: str | os.PathLike, compressed: bool) -> BinaryIO:
    """A seekable binary reader of the expanded bytes of a part (unbuffered for plain parts,
    so that unchanged ranges can still be moved by the kernel)."""
    if compressed:
        return CompressedReader(path)
    return open(path, "rb", buffering=0)


def part_size(path: str | os.PathLike, compressed: bool) -> int:
    """Expanded size of a part file."""
    if not compressed:
        return os.stat(path).st_size
    with CompressedReader(path) as f:
        return f.size


class CompressedReader(io.RawIOBase):
    """Random-access reader of one block-compressed part."""

    def __init__(self, path: str | os.PathLike):
        super().__init__()
        self.path = os.fspath(path)
        self._fd = os.open(self.path, os.O_RDONLY)
        try:
            self._read_index()
        except BaseException:
            os.close(self._fd)
            self._fd = -1
            raise
        self._pos = 0
        self._block_no = -1
        self._block = b""

    def _read_index(self) -> None:
        end = os.fstat(self._fd).st_size
        head = os.pread(self._fd, len(MAGIC), 0)
        if end < len(MAGIC) + _TRAILER.size or head != MAGIC:
            raise CompressedFileError(self.path)
        size, index_at, block_size, count, magic = _TRAILER.unpack(
            os.pread(self._fd, _TRAILER.size, end - _TRAILER.size))
        index_end = end - _TRAILER.size
        if magic != MAGIC or not block_size or index_at + 8 * count != index_end \
                or size > count * block_size:
            raise CompressedFileError(self.path)
        raw = os.pread(self._fd, 8 * count, index_at)
        self.size, self.block_size = size, block_size
        self._starts = list(struct.unpack(f"<{count}Q", raw)) + [index_at]

    # -- io.RawIOBase ------------------------------------------------------------------------
    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, pos: int, whence: int = os.SEEK_SET) -> int:
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self._pos, os.SEEK_END: self.size}[whence]
        self._pos = max(0, base + pos)
        return self._pos

    def read(self, n: int = -1) -> bytes:
        if n is None or n < 0:
            n = self.size - self._pos
        n = max(0, min(n, self.size - self._pos))
        pieces = []
        while n > 0:
            block_no, inner = divmod(self._pos, self.block_size)
            block = self._load(block_no)
            piece = block[inner:inner + n]
            if not piece:
                raise CompressedFileError(self.path)
            pieces.append(piece)
            self._pos += len(piece)
            n -= len(piece)
        return pieces[0] if len(pieces) == 1 else b"".join(pieces)

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)

    def readall(self) -> bytes:
        return self.read(-1)

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1
        self._block = b""
        super().close()

    def _load(self, block_no: int) -> bytes:
        if block_no != self._block_no:
            start, end = self._starts[block_no], self._starts[block_no + 1]
            try:
                self._block = zlib.decompress(os.pread(self._fd, end - start, start))
            except zlib.error:
                raise CompressedFileError(self.path) from None
            self._block_no = block_no
        return self._block


class PartWriter:
    """File-like sink that block-compresses everything written to ``out`` (an open binary
    file positioned at 0). `close` writes the index and trailer and returns the file size;
    it does not close ``out``. Deliberately has no ``fileno``: writers then take the
    read-and-write path instead of kernel copies."""

    def __init__(self, out: BinaryIO, block_size: int = BLOCK_SIZE, level: int = LEVEL):
        self.out, self.block_size, self.level = out, block_size, level
        self.raw_size = 0
        self._pending = bytearray()
        self._starts: list[int] = []
        self._at = 0
        self._emit(MAGIC)

    def _emit(self, data: bytes) -> None:
        self.out.write(data)
        self._at += len(data)

    def _block(self, raw) -> None:
        self._starts.append(self._at)
        self._emit(zlib.compress(raw, self.level))

    def write(self, data) -> int:
        view = memoryview(data)
        n = len(view)
        self.raw_size += n
        if self._pending:
            take = min(n, self.block_size - len(self._pending))
            self._pending += view[:take]
            view = view[take:]
            if len(self._pending) < self.block_size:
                return n
            self._block(self._pending)
            self._pending = bytearray()
        while len(view) >= self.block_size:
            self._block(view[:self.block_size])
            view = view[self.block_size:]
        self._pending += view
        return n

    def flush(self) -> None:
        self.out.flush()

    def tell(self) -> int:
        return self.raw_size

    def close(self) -> int:
        if self._pending:
            self._block(self._pending)
            self._pending = bytearray()
        index_at = self._at
        self._emit(struct.pack(f"<{len(self._starts)}Q", *self._starts))
        self._emit(_TRAILER.pack(self.raw_size, index_at, self.block_size, len(self._starts), MAGIC))
        self.out.flush()
        return self._at
