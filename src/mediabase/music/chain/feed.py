"""A generator of realistic chain feeds, deterministic by seed (docs/music-chain.md, "Feeds").

The feed is JSON lines in the shapes of ``eth_getBlockByNumber`` headers (number, hash,
parentHash, timestamp) and ``eth_getLogs`` entries (address, topics, data, blockNumber,
blockHash, transactionHash, logIndex, removed): ERC-721 and ERC-20 ``Transfer`` and ERC-1155
``TransferSingle`` logs that mint, transfer and burn, never moving more than a holder has. A
reorg of depth d at height h: after block h the last d blocks are dropped (their logs are sent
again with ``removed: true``, as a node's subscription does), then a new branch of d + 1 blocks
from h − d + 1 is sent, in which some of the orphaned mints are re-mined under their old
transaction hash and log index. :meth:`FeedGenerator.fold` is the balances of the canonical
chain that results, computed in Python: what the importer must agree with.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field

TRANSFER = "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"
TRANSFER_SINGLE = "0xc3d58168c5ae7397731d063d5bbf3d657854427343f4c083240f7aacaa2d0f62"
ZERO = bytes(20)
STANDARDS = ("erc721", "erc20", "erc1155")


@dataclass(frozen=True, slots=True)
class FeedContract:
    address: bytes
    standard: str  # erc721 | erc20 | erc1155


@dataclass(frozen=True, slots=True)
class Log:
    contract: FeedContract
    tx_hash: bytes
    log_index: int
    sender: bytes
    receiver: bytes
    token_id: int  # 0 for ERC-20
    amount: int


@dataclass(slots=True)
class GenBlock:
    number: int
    hash: bytes
    parent: bytes
    timestamp: int
    logs: list[Log] = field(default_factory=list)


class _Bag:
    """Keys with a positive balance, with O(1) random choice, insertion and removal."""

    def __init__(self) -> None:
        self.keys: list[tuple[int, bytes]] = []
        self.pos: dict[tuple[int, bytes], int] = {}

    def add(self, key: tuple[int, bytes]) -> None:
        if key not in self.pos:
            self.pos[key] = len(self.keys)
            self.keys.append(key)

    def discard(self, key: tuple[int, bytes]) -> None:
        i = self.pos.pop(key, None)
        if i is None:
            return
        last = self.keys.pop()
        if i < len(self.keys):
            self.keys[i] = last
            self.pos[last] = i


def default_contracts(seed: int) -> list[FeedContract]:
    """One contract of each standard at addresses derived from ``seed``."""
    rng = random.Random(f"contracts:{seed}")
    return [FeedContract(rng.randbytes(20), s) for s in STANDARDS]


class FeedGenerator:
    """Blocks with transfers, and reorgs where asked; everything from one seeded ``random.Random``."""

    def __init__(
        self,
        seed: int = 1,
        contracts: list[FeedContract] | None = None,
        *,
        holders: int = 50,
        first_block: int = 1,
        first_time: int = 1_767_225_600,
    ) -> None:
        self.rng = random.Random(seed)
        self.contracts = contracts if contracts is not None else default_contracts(seed)
        self.holders = [self.rng.randbytes(20) for _ in range(max(1, holders))]
        self.chain: list[GenBlock] = []
        self.balances: dict[tuple[bytes, int, bytes], int] = {}
        self.bags: dict[bytes, _Bag] = {c.address: _Bag() for c in self.contracts}
        self.next_token = 1
        self.number = first_block
        self.time = first_time
        self.parent = bytes(32)

    # -- state ----------------------------------------------------------------------------------

    def _move(self, log: Log, sign: int) -> None:
        c = log.contract.address
        for who, delta in ((log.sender, -log.amount * sign), (log.receiver, log.amount * sign)):
            if who == ZERO:
                continue
            key = (c, log.token_id, who)
            value = self.balances.get(key, 0) + delta
            if value < 0:
                raise AssertionError("the generator moved more than a holder had")
            if value:
                self.balances[key] = value
                self.bags[c].add((log.token_id, who))
            else:
                self.balances.pop(key, None)
                self.bags[c].discard((log.token_id, who))

    def _new_log(self, contract: FeedContract, log_index: int) -> Log:
        rng = self.rng
        bag = self.bags[contract.address]
        op = rng.random()
        tx = rng.randbytes(32)
        to = rng.choice(self.holders)
        if not bag.keys or op < 0.3:  # mint
            if contract.standard == "erc721":
                token = self.next_token if rng.random() < 0.9 else (1 << 200) + self.next_token
                self.next_token += 1
                amount = 1
            elif contract.standard == "erc20":
                token, amount = 0, rng.randint(1, 10**24)
            else:
                token, amount = rng.randint(1, 5), rng.randint(1, 1000)
            return Log(contract, tx, log_index, ZERO, to, token, amount)
        token, owner = rng.choice(bag.keys)
        have = self.balances[(contract.address, token, owner)]
        amount = 1 if contract.standard == "erc721" else rng.randint(1, have)
        if op < 0.85:
            return Log(contract, tx, log_index, owner, to, token, amount)
        return Log(contract, tx, log_index, owner, ZERO, token, amount)  # burn

    def _block(self, transfers: int, remined: list[Log] | None = None) -> GenBlock:
        b = GenBlock(self.number, self.rng.randbytes(32), self.parent, self.time)
        index = 0
        for log in remined or ():
            self._move(log, 1)
            b.logs.append(log)
            index = max(index, log.log_index + 1)
        for _ in range(transfers):
            log = self._new_log(self.rng.choice(self.contracts), index)
            self._move(log, 1)
            b.logs.append(log)
            index += 1
        self.chain.append(b)
        self.parent, self.number, self.time = b.hash, b.number + 1, b.timestamp + 12
        return b

    def _rewind(self, depth: int) -> list[GenBlock]:
        dropped = self.chain[-depth:]
        del self.chain[-depth:]
        for b in reversed(dropped):
            for log in reversed(b.logs):
                self._move(log, -1)
        first = dropped[0]
        self.parent, self.number, self.time = first.parent, first.number, first.timestamp
        return dropped

    # -- output ---------------------------------------------------------------------------------

    def lines(self, blocks: int, transfers_per_block: int = 5, reorgs: dict[int, int] | None = None) -> Iterator[str]:
        """``blocks`` new blocks, each header followed by its logs; ``reorgs`` maps a height to the
        depth of the reorg that follows it (1 ≤ depth ≤ the blocks there are)."""
        reorgs = reorgs or {}
        for _ in range(blocks):
            b = self._block(transfers_per_block)
            yield from block_lines(b)
            depth = reorgs.get(b.number, 0)
            if depth:
                depth = min(depth, len(self.chain))
                dropped = self._rewind(depth)
                for old in dropped:
                    for log in old.logs:
                        yield log_line(old, log, removed=True)
                mints = [log for old in dropped for log in old.logs if log.sender == ZERO and self.rng.random() < 0.5]
                for i in range(depth + 1):
                    yield from block_lines(self._block(transfers_per_block, mints if i == 0 else None))

    def fold(self) -> dict[tuple[bytes, int, bytes], int]:
        """Balances of the canonical chain per (contract, token, address), from its logs alone."""
        out: dict[tuple[bytes, int, bytes], int] = {}
        for b in self.chain:
            for log in b.logs:
                for who, delta in ((log.sender, -log.amount), (log.receiver, log.amount)):
                    if who != ZERO:
                        key = (log.contract.address, log.token_id, who)
                        out[key] = out.get(key, 0) + delta
        return {k: v for k, v in out.items() if v}


def _q(n: int) -> str:
    return hex(n)


def _word(n: int) -> str:
    return f"{n:064x}"


def block_lines(b: GenBlock) -> Iterator[str]:
    yield (
        f'{{"number":"{_q(b.number)}","hash":"0x{b.hash.hex()}","parentHash":"0x{b.parent.hex()}",'
        f'"timestamp":"{_q(b.timestamp)}"}}'
    )
    for log in b.logs:
        yield log_line(b, log)


def log_line(b: GenBlock, log: Log, *, removed: bool = False) -> str:
    c = log.contract
    sender, receiver = "0x" + "0" * 24 + log.sender.hex(), "0x" + "0" * 24 + log.receiver.hex()
    if c.standard == "erc721":
        topics = f'"{TRANSFER}","{sender}","{receiver}","0x{_word(log.token_id)}"'
        data = "0x"
    elif c.standard == "erc20":
        topics = f'"{TRANSFER}","{sender}","{receiver}"'
        data = "0x" + _word(log.amount)
    else:
        operator = "0x" + "0" * 24 + (log.sender if log.sender != ZERO else log.receiver).hex()
        topics = f'"{TRANSFER_SINGLE}","{operator}","{sender}","{receiver}"'
        data = "0x" + _word(log.token_id) + _word(log.amount)
    return (
        f'{{"address":"0x{c.address.hex()}","topics":[{topics}],"data":"{data}",'
        f'"blockNumber":"{_q(b.number)}","blockHash":"0x{b.hash.hex()}",'
        f'"transactionHash":"0x{log.tx_hash.hex()}","transactionIndex":"{_q(log.log_index)}",'
        f'"logIndex":"{_q(log.log_index)}","removed":{"true" if removed else "false"}}}'
    )
