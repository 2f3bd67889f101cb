"""PUCCH link: a PUCCH of format 0 to 4 (TS 38.211 §6.3.2, its DM-RS §6.4.1.3, UCI coding of
TS 38.212 §6.3.1 for formats 2 to 4) from one UE antenna to the n_rx antennas of the base station
through a TDL fading channel (TR 38.901 §7.7, uplink correlation) or a static AWGN channel, and
the reference receivers of :mod:`opennr.receiver.pucch_rx`, measured the way TS 38.104 §8.3
defines the PUCCH performance requirements.

What is measured (every slot of a batch carries one PUCCH with a fresh payload):

* **ACK missed detection** (TS 38.104 §8.3.2.1, §8.3.3.2, §8.3.4.1): an ACK bit sent and not
  detected as ACK (DTX declared, or detected as NACK); counted per HARQ-ACK bit. For format 2
  the HARQ-ACK bits are the UCI payload, and a payload is detected only if it is decoded whole.
* **NACK-to-ACK** (§8.3.3.1): a NACK bit sent and detected as ACK (NACK bits lost to a DTX
  decision do not count), per NACK bit.
* **DTX-to-ACK** (false ACK detection, §8.3.2.1, §8.3.3, §8.3.4.1): with ``dtx``, each slot
  also presents the receiver with noise alone on the same resource elements; the ACK bits it
  detects there, per DTX slot.
* **UCI BLER** (§8.3.4.2, §8.3.5, §8.3.6): the slots whose UCI payload is not decoded exactly
  (a failed CRC, a payload below the detection threshold, or wrong bits).

Detection. Formats 0 and 1 compare their energy statistic with the threshold of a target
false-alarm probability on noise alone (:func:`opennr.receiver.pucch_rx.pucch_dtx_threshold`).
Payloads of 3 to 11 bits (small block codes, no CRC) are detected when the correlation of their
LLRs with the re-encoded decision reaches a threshold set, once per configuration, to the upper
``false_alarm`` quantile of that correlation on noise alone (:func:`uci_dtx_threshold`); payloads
of 12 bits or more are detected by their CRC.

Signal level. Every PUCCH and DM-RS resource element has unit power (the sequences have unit
modulus, the QPSK and pi/2-BPSK symbols unit energy, transform precoding keeps the energy) and
the channel has unit average power per link, so the SNR is that per resource element and receive
antenna, N0 = 10^(−SNR/10). Only the resource elements of the PUCCH and its DM-RS are simulated
(the receivers read nothing else).

Time line. One fading channel is drawn per batch; slot b of the batch sees it at slot b, so the
channel evolves across the slots of a batch, and batches are independent realisations.
"""

from __future__ import annotations

import dataclasses
import functools
import math
from dataclasses import dataclass

import numpy as np

from opennr._validate import check_choice, check_int
from opennr.channel import parse_tdl_name
from opennr.channel.tdl import symbol_times
from opennr.errors import ConfigError
from opennr.link._common import SlotChannel
from opennr.numerology import Carrier
from opennr.physical.pucch import PucchConfig, pucch_bit_capacity, pucch_grid, pucch_plan
from opennr.receiver.pucch_rx import pucch0_detect, pucch1_detect, pucch_receive
from opennr.sim.engine import PointResult
from opennr.sim.stats import wilson_interval
from opennr.transport.uci import A_UCI_MAX, uci_min_e

__all__ = ["PAYLOADS", "PUCCH_COUNTERS", "PucchLink", "PucchLinkConfig", "uci_dtx_threshold"]

#: Integer counters of :meth:`PucchLink.run_batch` (they add across batches):
#:
#: * ``blocks``: slots carrying a PUCCH; ``transmissions`` the same (one slot each);
#: * ``block_errors``: slots whose payload was not received exactly (DTX declared or wrong bits);
#: * ``bits``, ``delivered_bits``, ``bit_errors``: payload bits sent, bits of the slots received
#:   exactly, payload bits wrong (all of them when DTX is declared);
#: * ``missed_slots``: slots carrying a PUCCH where DTX was declared;
#: * ``ack_bits``, ``ack_missed``: ACK bits sent, and those not detected as ACK;
#: * ``nack_bits``, ``nack_to_ack``: NACK bits sent, and those detected as ACK;
#: * ``dtx_slots``, ``dtx_detections``, ``dtx_false_ack``: noise-only slots, those in which a
#:   PUCCH was detected, and the ACK bits detected in them.
PUCCH_COUNTERS = ("blocks", "block_errors", "transmissions", "bits", "delivered_bits",
                  "bit_errors", "missed_slots", "ack_bits", "ack_missed", "nack_bits",
                  "nack_to_ack", "dtx_slots", "dtx_detections", "dtx_false_ack")

#: Payloads a link can send: uniformly random bits, all ACK (1) or all NACK (0).
PAYLOADS = ("random", "ack", "nack")

#: Channel knowledge of the format 2-4 receivers: DM-RS estimation or the true channel and noise.
ESTIMATORS = ("dmrs", "perfect")

#: Largest payload of the small block codes (TS 38.212 §6.3.1.2.2), which carry no CRC.
_SMALL_BLOCK_MAX = 11
#: Noise-only trials of the threshold calibration of :func:`uci_dtx_threshold`: enough for about 40
#: exceedances of the quantile, within these bounds.
_CALIBRATION_TRIALS = (2000, 20000)


@dataclass(frozen=True, slots=True, kw_only=True)
class PucchLinkConfig:
    """Parameters of the PUCCH link (TS 38.211 §6.3.2; the test set-up of TS 38.104 §8.3).

    Parameters
    ----------
    carrier : Carrier
        Carrier grid; the PUCCH lies inside it.
    pucch : PucchConfig
        The PUCCH resource: format, symbols, PRBs, hopping, cyclic shift, cover code, DM-RS.
    n_bits : int
        HARQ-ACK bits of formats 0 and 1 (1 or 2), or UCI payload bits A of formats 2 to 4
        (3 .. 1706, fitting the E coded bits of the resource).
    n_rx : int
        Receive antennas.
    channel : str
        ``"awgn"`` (a static channel, unit-modulus gains) or a TDL in conformance shorthand such
        as ``"TDLC300-100"`` (TS 38.104 Annex G: profile, delay spread in ns, maximum Doppler
        in Hz).
    correlation : str
        MIMO correlation of the TDL channel (``"low"``, ``"medium"``, ``"medium-A"``,
        ``"high"``), uplink.
    payload : str
        ``"random"`` bits, all ``"ack"`` (1) or all ``"nack"`` (0).
    false_alarm : float
        Target probability of detecting a PUCCH on noise alone, in (0, 0.5]: sets the DTX
        thresholds of formats 0 and 1 and of the small-block payloads.
    dtx : bool
        Also present noise alone in every slot and count the false detections.
    estimator : str
        Formats 2-4: ``"dmrs"`` (estimation from the DM-RS) or ``"perfect"`` (the true channel
        and noise variance).

    Raises
    ------
    ConfigError
        Naming the field.
    """

    carrier: Carrier = dataclasses.field(default_factory=lambda: Carrier(scs=30, n_size_grid=24))
    pucch: PucchConfig = dataclasses.field(default_factory=PucchConfig)
    n_bits: int = 1
    n_rx: int = 2
    channel: str = "awgn"
    correlation: str = "low"
    payload: str = "random"
    false_alarm: float = 0.01
    dtx: bool = True
    estimator: str = "dmrs"

    def __post_init__(self) -> None:
        if not isinstance(self.carrier, Carrier):
            raise ConfigError("carrier", type(self.carrier).__name__, "must be a Carrier")
        if not isinstance(self.pucch, PucchConfig):
            raise ConfigError("pucch", type(self.pucch).__name__, "must be a PucchConfig")
        fmt = self.pucch.format
        if fmt < 2:
            check_int("n_bits", self.n_bits, 1, 2, "TS 38.213 §9.2.3" if fmt == 0 else
                      "TS 38.211 §6.3.2.4.1")
        else:
            a = check_int("n_bits", self.n_bits, 3, A_UCI_MAX, "TS 38.213 §9.2.1")
            e = pucch_bit_capacity(self.carrier, self.pucch)
            if uci_min_e(a, e) > e:
                raise ConfigError("n_bits", a, f"payload too large for PUCCH format {fmt} with "
                                  f"E_tot={e} coded bits (needs E >= {uci_min_e(a, e)})",
                                  "TS 38.212 §6.3.1.4")
        check_int("n_rx", self.n_rx, 1, 64)
        if not isinstance(self.channel, str):
            raise ConfigError("channel", self.channel, "must be 'awgn' or a TDL name")
        if self.channel != "awgn":
            parse_tdl_name(self.channel)
        check_choice("payload", self.payload, PAYLOADS)
        fa = self.false_alarm
        if isinstance(fa, bool) or not isinstance(fa, (int, float)) or not 0.0 < fa <= 0.5:
            raise ConfigError("false_alarm", fa, "must be a probability in (0, 0.5]")
        if not isinstance(self.dtx, (bool, np.bool_)):
            raise ConfigError("dtx", self.dtx, "must be True or False")
        check_choice("estimator", self.estimator, ESTIMATORS)
        if self.estimator == "perfect" and fmt < 2:
            raise ConfigError("estimator", self.estimator, "formats 0 and 1 are detected without "
                              "a channel estimate; 'perfect' applies to formats 2 to 4")
        if self.channel != "awgn":
            self.slot_channel().tdl_config()          # validates the correlation level
        pucch_plan(self.carrier, self.pucch)          # the PUCCH fits the carrier

    def slot_channel(self) -> SlotChannel:
        """The channel of the slots: one UE antenna, n_rx antennas, uplink."""
        return SlotChannel(carrier=self.carrier, channel=self.channel, correlation=self.correlation,
                           n_tx=1, n_rx=self.n_rx, direction="uplink")

    @property
    def small_block(self) -> bool:
        """A format 2-4 payload of the small block codes (A <= 11, no CRC)."""
        return self.pucch.format >= 2 and self.n_bits <= _SMALL_BLOCK_MAX

    def as_dict(self) -> dict:
        return dataclasses.asdict(self)


@functools.lru_cache(maxsize=64)
def uci_dtx_threshold(carrier: Carrier, pucch: PucchConfig, n_bits: int, n_rx: int,
                      false_alarm: float) -> float:
    """Detection threshold of a format 2-4 payload of 3 to 11 bits (small block codes of
    TS 38.212 §6.3.1.2.2, which have no CRC) for a false-alarm probability on noise alone.

    The statistic is the correlation of the LLRs with the re-encoded decision
    (:attr:`opennr.receiver.pucch_rx.PucchReceiveResult.metric`); it does not depend on the noise
    level, since the receiver estimates the noise from the DM-RS. The threshold is its upper
    ``false_alarm`` quantile over 40 / ``false_alarm`` noise-only slots (2000 to 20000) drawn
    from a fixed seed: a deterministic, cached calibration whose quantile rests on about 40
    exceedances.
    """
    rng = np.random.default_rng(np.random.SeedSequence(
        [pucch.format, n_bits, n_rx, pucch.n_prb, *pucch.symbol_allocation, 0x7D0C]))
    plan = pucch_plan(carrier, pucch)
    idx = np.concatenate([plan.data_indices, plan.dmrs_indices])
    n_re = plan.n_symb_slot * plan.n_subcarriers
    lo, hi = _CALIBRATION_TRIALS
    trials = int(min(hi, max(lo, math.ceil(40.0 / false_alarm))))
    metrics = np.empty(trials)
    y = np.zeros((n_rx, n_re), np.complex64)
    for t in range(trials):
        y[:, idx] = _noise(rng, (n_rx, idx.size), 1.0)
        res = pucch_receive(y.reshape(n_rx, plan.n_symb_slot, plan.n_subcarriers), carrier,
                            pucch, n_bits, n_slot=0)
        metrics[t] = res.metric
    return float(np.quantile(metrics, 1.0 - false_alarm))


def _noise(rng: np.random.Generator, shape: tuple[int, ...], n0: float) -> np.ndarray:
    z = rng.standard_normal((*shape, 2), dtype=np.float32)
    z *= np.float32(math.sqrt(n0 / 2.0))
    return z.view(np.complex64)[..., 0]


class PucchLink:
    """Transmit, propagate, receive: one batch of PUCCH slots at a time (module docstring).

    ``run_batch(snr_db, n_blocks, rng)`` returns the :data:`PUCCH_COUNTERS`; ``metrics`` turns
    summed counters into the probabilities of TS 38.104 §8.3.
    """

    counters = PUCCH_COUNTERS

    def __init__(self, config: PucchLinkConfig):
        if not isinstance(config, PucchLinkConfig):
            raise ConfigError("config", type(config).__name__, "must be a PucchLinkConfig")
        self.config = config
        carrier = config.carrier
        plan = pucch_plan(carrier, config.pucch)
        self._plan = plan
        self._idx = np.concatenate([plan.data_indices, plan.dmrs_indices])
        k = plan.n_subcarriers
        self._sym = self._idx // k
        sub = self._idx % k
        self._subcarriers, self._sub_pos = np.unique(sub, return_inverse=True)
        self._freqs = (self._subcarriers - k // 2) * (carrier.scs * 1e3)
        self._channel = config.slot_channel()
        self._static = self._channel.static_matrix()[:, 0]         # (n_rx,)
        self._threshold: float | None = None

    @property
    def block_bits(self) -> int:
        """Payload bits per slot (HARQ-ACK bits or UCI bits A)."""
        return self.config.n_bits

    def describe(self) -> str:
        c = self.config
        p = c.pucch
        start, length = p.symbol_allocation
        hop = f", hopping to PRB {p.second_hop_prb}" if p.hopping else ""
        what = "HARQ-ACK" if p.format < 2 else "UCI"
        extra = ""
        if p.format in (3, 4):
            extra = f", {p.modulation}{', additional DM-RS' if p.additional_dmrs else ''}"
        if p.format == 4:
            extra += f", N_SF {p.spreading_factor} OCC {p.occ_index}"
        return (f"PUCCH format {p.format}, {c.n_bits} {what} bit(s) ({c.payload}), "
                f"{p.n_prb} PRB from {p.start_prb}{hop}, symbols {start}..{start + length - 1}"
                f"{extra}, 1x{c.n_rx}, {c.channel}{'' if c.channel == 'awgn' else ' ' + c.correlation}"
                f", {c.carrier.scs} kHz, {c.carrier.n_size_grid} PRB carrier, "
                f"false alarm {c.false_alarm:g}{', DTX slots' if c.dtx else ''}"
                + (f", estimator {c.estimator}" if p.format >= 2 else ""))

    # -- one slot ------------------------------------------------------------------------------

    def _response(self, channel, slot: int) -> np.ndarray:
        """H on the PUCCH and DM-RS resource elements of ``slot``, (n_rx, n_re) complex64."""
        if channel is None:
            return np.repeat(self._static[:, None], self._idx.size, axis=1)
        times = symbol_times(self.config.carrier, slot)
        h = channel.frequency_response(self._freqs, times)[:, 0]    # (n_rx, L, n_sub)
        return np.ascontiguousarray(h[:, self._sym, self._sub_pos])

    def _grid(self, values: np.ndarray) -> np.ndarray:
        p = self._plan
        y = np.zeros((values.shape[0], p.n_symb_slot * p.n_subcarriers), np.complex64)
        y[:, self._idx] = values
        return y.reshape(values.shape[0], p.n_symb_slot, p.n_subcarriers)

    def _payload(self, rng: np.random.Generator) -> np.ndarray:
        n, kind = self.config.n_bits, self.config.payload
        if kind == "ack":
            return np.ones(n, np.uint8)
        if kind == "nack":
            return np.zeros(n, np.uint8)
        return rng.integers(0, 2, n, dtype=np.uint8)

    def _detect(self, y: np.ndarray, n_slot: int, h: np.ndarray | None,
                n0: float) -> np.ndarray | None:
        """The detected bits, or ``None`` for DTX."""
        c = self.config
        p = c.pucch
        if p.format == 0:
            det = pucch0_detect(y, c.carrier, p, n_ack=c.n_bits, false_alarm=c.false_alarm,
                                n_slot=n_slot)
            return None if det.dtx else det.ack
        if p.format == 1:
            det = pucch1_detect(y, c.carrier, p, n_bits=c.n_bits, false_alarm=c.false_alarm,
                                n_slot=n_slot)
            return None if det.dtx else det.ack
        kw = {}
        if c.estimator == "perfect":
            kw = {"channel": self._grid(h), "noise_var": n0}
        res = pucch_receive(y, c.carrier, p, c.n_bits, n_slot=n_slot, **kw)
        if c.small_block:
            if self._threshold is None:
                self._threshold = uci_dtx_threshold(c.carrier, p, c.n_bits, c.n_rx,
                                                    float(c.false_alarm))
            return res.bits if res.metric >= self._threshold else None
        return res.bits if res.crc_ok else None

    def _slot(self, counts: dict[str, int], slot: int, n0: float, channel,
              rng: np.random.Generator) -> None:
        c = self.config
        n_slot = slot % c.carrier.slots_per_frame
        bits = self._payload(rng)
        if c.pucch.format < 2:
            tx = pucch_grid(c.carrier, c.pucch, ack=bits, n_slot=n_slot)
        else:
            tx = pucch_grid(c.carrier, c.pucch, uci=bits, n_slot=n_slot)
        x = tx.reshape(-1)[self._idx]
        h = self._response(channel, slot)
        y = h * x + _noise(rng, h.shape, n0)
        got = self._detect(self._grid(y), n_slot, h, n0)
        ack, nack = bits == 1, bits == 0
        counts["blocks"] += 1
        counts["transmissions"] += 1
        counts["bits"] += bits.size
        counts["ack_bits"] += int(ack.sum())
        counts["nack_bits"] += int(nack.sum())
        if got is None:
            counts["missed_slots"] += 1
            counts["block_errors"] += 1
            counts["bit_errors"] += bits.size
            counts["ack_missed"] += int(ack.sum())
        else:
            wrong = got != bits
            counts["bit_errors"] += int(wrong.sum())
            if wrong.any():
                counts["block_errors"] += 1
            else:
                counts["delivered_bits"] += bits.size
            counts["ack_missed"] += int((ack & wrong).sum())
            counts["nack_to_ack"] += int((nack & wrong).sum())
        if c.dtx:
            got = self._detect(self._grid(_noise(rng, h.shape, n0)), n_slot, h, n0)
            counts["dtx_slots"] += 1
            if got is not None:
                counts["dtx_detections"] += 1
                counts["dtx_false_ack"] += int(got.sum())

    # -- the Link protocol -----------------------------------------------------------------------

    def run_batch(self, snr_db: float, n_blocks: int, rng: np.random.Generator) -> dict[str, int]:
        """Simulate ``n_blocks`` slots at ``snr_db`` (SNR per RE per receive antenna) and count
        them (:data:`PUCCH_COUNTERS`)."""
        if not np.isfinite(snr_db):
            raise ValueError(f"snr_db={snr_db!r}: must be a finite number of dB")
        n_blocks = check_int("n_blocks", n_blocks, 1)
        n0 = 10.0 ** (-snr_db / 10.0)
        channel = self._channel.new(rng)
        counts = dict.fromkeys(PUCCH_COUNTERS, 0)
        for b in range(n_blocks):
            self._slot(counts, b, n0, channel, rng)
        return counts

    def metrics(self, result: PointResult) -> dict[str, float]:
        """The figures of one SNR point (TS 38.104 §8.3), with 95 % Wilson intervals:
        ``bler`` (UCI block error rate), ``ack_missed`` (per ACK bit), ``nack_to_ack`` (per NACK
        bit), ``dtx_to_ack`` (ACK bits detected per noise-only slot), ``dtx_detection`` (noise-only
        slots with a detection), ``missed_detection`` (slots with a PUCCH declared DTX), ``ber``
        and ``throughput`` (payloads received exactly per slot). NaN where nothing was counted."""
        return pucch_metrics(result.counts, snr_db=result.snr_db, skipped=result.skipped)


#: Figures of :func:`pucch_metrics`: name -> (numerator counter, denominator counter).
PUCCH_RATES = {
    "bler": ("block_errors", "blocks"),
    "ack_missed": ("ack_missed", "ack_bits"),
    "nack_to_ack": ("nack_to_ack", "nack_bits"),
    "dtx_to_ack": ("dtx_false_ack", "dtx_slots"),
    "dtx_detection": ("dtx_detections", "dtx_slots"),
    "missed_detection": ("missed_slots", "blocks"),
}


def pucch_metrics(counts: dict[str, int], *, snr_db: float = float("nan"),
                  skipped: bool = False) -> dict[str, float]:
    """The probabilities of TS 38.104 §8.3 from summed :data:`PUCCH_COUNTERS`: each rate of
    :data:`PUCCH_RATES` with ``<rate>_low``/``<rate>_high`` (95 % Wilson interval), and ``ber``,
    ``throughput`` (fraction of slots whose payload was received exactly)."""
    nan = float("nan")
    out: dict[str, float] = {"snr_db": snr_db, "blocks": int(counts.get("blocks", 0)),
                             "block_errors": int(counts.get("block_errors", 0))}
    for name, (num, den) in PUCCH_RATES.items():
        k, n = int(counts.get(num, 0)), int(counts.get(den, 0))
        # dtx_to_ack counts ACK bits per slot (up to n_bits per slot): the interval is that of
        # the slot fraction, capped.
        out[name] = k / n if n else nan
        lo, hi = wilson_interval(min(k, n), n) if n else (nan, nan)
        out[f"{name}_low"], out[f"{name}_high"] = lo, hi
    bits = int(counts.get("bits", 0))
    out["ber"] = counts.get("bit_errors", 0) / bits if bits else nan
    out["throughput"] = counts.get("delivered_bits", 0) / bits if bits else nan
    out["skipped"] = skipped
    return out
