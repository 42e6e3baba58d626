"""Forums: meetings and political ties, security ties, and the yearly membership review.

ODD §7.4 (meetings and political ties) and §7.6 (security ties) of docs/model.md, and §7.9
("Yearly forum review"); §5 for the political ties' start.

Membership levels: none (0), observer (1), member (2); a level's tie weight is
ℓ_f(x) = 1 (member), observer_level (observer), 0 (none, or forum f not yet active).

Meetings (:func:`hold_meetings`), each quarter. One uniform u_f per forum and quarter, from
the forum's own generator (keyed by its id, :class:`ForumDraws`), gives the count
n_f = #{k : u_f ≥ Pr(N ≤ k)}, N ~ Poisson(meetings_per_year_f / 4) (0 if inactive); with
keep = (1 − political_decay)^(1/4):

    political[p,r]    ← keep · political[p,r]    + Σ_f n_f · weight_f · ℓ_f(p) · ℓ_f(r)
    rr_political[r,s] ← keep · rr_political[r,s] + Σ_f n_f · weight_f · ℓ_f(r) · ℓ_f(s)     (r ≠ s)

Security ties (:func:`refresh_security`), at launches, membership events and each review:

    security[p,r] = guarantee + bases_weight · bases + Σ_f security_weight_f · [p member] · [r member]   (active f)

Customs unions: full members of an active customs-union forum trade at a premium
(``_customs_union_pairs``, read by sim/economy.py).

Yearly review (:func:`yearly_review`, at steps 4, 8, …, after the alignment update). With S
the republic's alignment with the k powers that are full members of forum f, out of P:

    affinity_f(r) = (S / k) / ((1 − S) / (P − k))      if 0 < k < P;   1 otherwise

and for each active, open forum the republic does not convene (:func:`review_forums`):

    binding:     join = join_binding_above,  leave = leave_binding_below
    non-binding: join = join_dialogue_above, leave = leave_dialogue_below
    if level > none and affinity < leave:                              level ← level − 1
    elif level < member and affinity > join and may_join(level + 1):   level ← level + 1

:func:`may_join`: permanent neutrality joins no binding forum and rises no higher than
observer; military neutrality joins no security forum; closed forums are never reviewed.
"""

from __future__ import annotations

import zlib
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from .agents import RepublicAgent
    from .model import GreatGameModel

MEMBER, OBSERVER, NONE = 2, 1, 0
LEVEL_NAMES = {MEMBER: "member", OBSERVER: "observer", NONE: "none"}


# ---------------------------------------------------------------- meetings
def hold_meetings(m: "GreatGameModel") -> None:
    """Ties decay; each forum meets Poisson(meetings_per_year / 4) times this quarter.

    One uniform draw per forum and quarter, active or not, turned into a count by the
    Poisson distribution function. Each forum draws from its own stream, keyed by its id:
    a variant that adds a forum leaves the other forums' meetings as they were."""
    keep = m._const.political_keep
    m.political *= keep
    m.rr_political *= keep
    meetings = m._meeting_draws.next(m._meeting_cdf)
    if meetings is not None:
        # Ties with every actor (powers first, then republics) in one product.
        w = m._forum_scratch
        w[...] = (meetings * m.forum_weight)[:, None]
        w *= m._lvl
        ties = w.T @ m._lvl_r
        m.political += ties[: m.n_powers]
        rr = ties[m.n_powers:]
        rr.ravel()[m._republic_diagonal] = 0.0
        m.rr_political += rr


class ForumDraws:
    """Uniform draws per forum and quarter, each forum from its own generator.

    A forum's generator is spawned from the meetings stream's SeedSequence with a key made
    from the forum's id, so the same forum draws the same numbers in any scenario that has
    it, whatever the other forums. Draws are made a run's length at a time."""

    def __init__(self, stream: np.random.Generator, forum_ids: list[str], chunk: int):
        seq = stream.bit_generator.seed_seq
        if isinstance(seq, np.random.SeedSequence):
            self.generators = [np.random.default_rng(np.random.SeedSequence(
                seq.entropy, spawn_key=tuple(seq.spawn_key) + (zlib.crc32(f.encode()),))) for f in forum_ids]
        else:  # no SeedSequence to key from: spawn in order
            self.generators = list(stream.spawn(len(forum_ids)))
        self.chunk = chunk
        self.block = np.zeros((len(forum_ids), 0))
        self.k = 0
        self._cdf: np.ndarray | None = None

    def next(self, cdf: np.ndarray) -> np.ndarray | None:
        """This quarter's meeting counts per forum (as floats) under the Poisson CDFs ``cdf`` (F, K), or
        None when no forum meets. Counts are worked out a block at a time; a new ``cdf``
        (a forum launched) recomputes the rest of the block."""
        if self.k >= self.block.shape[1]:
            self.block = np.array([g.random(self.chunk) for g in self.generators]).reshape(len(self.generators), self.chunk)
            self.k = 0
            self._cdf = None
        if cdf is not self._cdf:
            self._cdf = cdf
            counts = np.add.reduce(self.block[:, self.k:, None] >= cdf[:, None, :], axis=2)
            # kept quarter by quarter (a row each) and as floats, as the model uses them
            self.counts = np.zeros(self.block.shape[::-1])
            self.counts[self.k:] = counts.T
            self.any = self.counts.any(axis=1).tolist()
        self.k += 1
        return self.counts[self.k - 1] if self.any[self.k - 1] else None


def poisson_cdf(rates: np.ndarray) -> np.ndarray:
    """(F, K) Poisson distribution function P(N <= k) per rate, k = 0..K-1, with K large
    enough that the tail beyond is below 1e-15. count = #{k : u >= cdf[k]} for u ~ U(0, 1).

    Read-only, and shared by the models with the same rates: a table costs tens of
    microseconds, and the runs of a sweep that does not vary the forums share a few."""
    return _poisson_cdf_of(tuple(rates.tolist()))


@lru_cache(maxsize=256)
def _poisson_cdf_of(rates: tuple[float, ...]) -> np.ndarray:
    rates = np.array(rates, dtype=float)
    top = float(rates.max()) if rates.size else 0.0
    K = int(np.ceil(top + 12.0 * np.sqrt(top) + 20.0))
    pmf = np.empty((len(rates), K))
    pmf[:, 0] = np.exp(-rates)
    for k in range(1, K):
        pmf[:, k] = pmf[:, k - 1] * rates / k
    cdf = np.cumsum(pmf, axis=1)
    cdf.flags.writeable = False
    return cdf


# ---------------------------------------------------------------- membership
def forum_name(m: "GreatGameModel", f: int) -> str:
    return m.forum_specs[f].name or m.forum_ids[f]


def set_membership(m: "GreatGameModel", f: int, col: int, level: int, reason: str = "", quiet: bool = False) -> None:
    """Set actor ``col``'s level in forum f and refresh the derived views; logged unless ``quiet``."""
    old = int(m.membership[f, col])
    if old == level:
        return
    m.membership[f, col] = level
    m._refresh_forum_views(republic_changed=(f, col) if col >= m.n_powers else None)
    if quiet:
        return
    actor = (m.power_ids + m.republic_ids)[col]
    m.log.append((m.steps, m.date, f"{actor}: {m.forum_name(f)} {LEVEL_NAMES[old]} -> {LEVEL_NAMES[level]}"
                  + (f" ({reason})" if reason else "")))


def launch_forum(m: "GreatGameModel", f: int) -> None:
    """A forum founded after the start becomes active (a scheduled event)."""
    m.forum_active[f] = True
    m._meeting_cdf = poisson_cdf(m.forum_rate * m.forum_active / 4.0)
    m._refresh_forum_views()
    m._refresh_security()


def refresh_forum_views(m: "GreatGameModel", republic_changed: tuple[int, int] | None = None) -> None:
    """Derived views of membership, recomputed only when membership or activity changes.

    ``republic_changed=(f, col)``: only that republic's level in forum f changed, so the
    views of the powers' memberships stand and one label is updated."""
    P = m.n_powers
    lvl = m._level_weight[m.membership] * m.forum_active[:, None]
    m._lvl = lvl  # (F, P + R) tie weight of each actor in each forum
    m._forum_scratch = np.empty(lvl.shape)
    m._lvl_p = lvl[:, :P]
    m._lvl_r = lvl[:, P:]
    # Full members of an active customs union trade at a premium.
    cu = (m.membership[m.customs_union] == MEMBER) & m.forum_active[m.customs_union][:, None]
    m._customs_union_pairs = (cu[:, :P].T.astype(float) @ cu[:, P:].astype(float)) > 0
    m._trade_factors = None
    if republic_changed is not None:
        f, col = republic_changed
        m._forum_levels[col - P][f] = LEVEL_NAMES[int(m.membership[f, col])]
        return
    full_powers = m.membership[:, :P] == MEMBER
    m.forum_powers = [[] for _ in full_powers]  # per forum, its member powers (numpy ints)
    forums, powers = np.nonzero(full_powers)
    for f, p in zip(forums.tolist(), powers):
        m.forum_powers[f].append(p)
    m._forum_power_matrix = full_powers.T.astype(float)  # (P, F)
    k = full_powers.sum(axis=1)
    m._forum_sided = (k > 0) & (k < P)  # a forum with none or all of the powers takes no side
    m._forum_odds_scale = np.maximum(P - k, 1) / np.maximum(k, 1)  # per-power means: inside / outside
    levels = [[LEVEL_NAMES[v] if active else "inactive" for v in row]
              for active, row in zip(m.forum_active.tolist(), m.membership[:, P:].tolist())]
    m._forum_levels = [list(col) for col in zip(*levels)] if levels else [[] for _ in range(m.n_republics)]


def refresh_security(m: "GreatGameModel") -> None:
    """security = static ties (guarantees, bases) + the alliances of active security forums."""
    full = (m.membership == MEMBER) & m.forum_active[:, None]
    full = full.astype(float)
    alliance = (m.forum_security[:, None] * full[:, : m.n_powers]).T @ full[:, m.n_powers:]
    m.security = m.security_static + alliance


# ---------------------------------------------------------------- yearly review
def forum_affinities(m: "GreatGameModel", r: int) -> list[float]:
    """Republic r's affinity with each forum (see RepublicAgent.forum_affinity)."""
    if m._review_affinities is not None:
        return m._review_affinities[r]
    return m._all_forum_affinities()[r].tolist()


def all_forum_affinities(m: "GreatGameModel") -> np.ndarray:
    """(R, F): mean alignment per member power over mean alignment per outside power."""
    inside = m.alignment @ m._forum_power_matrix  # share held by each forum's member powers
    outside = np.maximum(1.0 - inside, 1e-12)
    return np.where(m._forum_sided, inside * m._forum_odds_scale / outside, 1.0)


def yearly_review(m: "GreatGameModel") -> None:
    """Every republic reviews its forums, in an order shuffled by ``model.random``; alignment
    does not move during the review, so every republic's affinities are computed once, before
    it. Security ties follow the new memberships."""
    m._review_affinities = m._all_forum_affinities().tolist()
    m.republics.shuffle_do("review_forums")
    m._review_affinities = None
    m._refresh_security()


def may_join(republic: "RepublicAgent", f: int, level: int = MEMBER) -> bool:
    """Whether the republic's neutrality lets it rise to ``level`` in forum f.

    Permanent neutrality (Turkmenistan) takes on no new commitment: no binding forum at
    all, and no more than observer status in a dialogue it is not already a member of.
    Military neutrality (Uzbekistan's ban on military blocs) rules out security forums."""
    forum = republic.model.forum_specs[f]
    if republic.neutrality == "permanent" and (forum.binding or level > OBSERVER):
        return False
    if republic.neutrality == "military" and forum.kind == "security":
        return False
    return forum.open


def review_forums(republic: "RepublicAgent") -> None:
    """One republic's review: one step up (observer, member) or down in each active, open forum.

    Forums the republic convenes itself are not reviewed: a host does not walk out.
    """
    m, prm = republic.model, republic.model.params
    col = m.n_powers + republic.index
    affinities = m.forum_affinities(republic.index)
    active, convenor = m.forum_active.tolist(), m.forum_convenor.tolist()
    levels = m.membership[:, col].tolist()
    for f, forum in enumerate(m.forum_specs):
        if not active[f] or not forum.open or convenor[f] == col:
            continue
        level = levels[f]
        affinity = affinities[f]
        join = prm.join_binding_above if forum.binding else prm.join_dialogue_above
        leave = prm.leave_binding_below if forum.binding else prm.leave_dialogue_below
        if level > NONE and affinity < leave:
            m.set_membership(f, col, level - 1, reason=f"affinity {affinity:.2f} < {leave}")
        elif level < MEMBER and affinity > join and republic.may_join(f, level + 1):
            m.set_membership(f, col, level + 1, reason=f"affinity {affinity:.2f} > {join}")


def forum_ties(m: "GreatGameModel") -> tuple[np.ndarray, np.ndarray]:
    """(R,) each republic's membership in the forums the incumbents convene, and in the
    challenger's: Σ_f level(f, r), member 1, observer ``observer_level``, over forums active
    now. What the headline reports beside alignment (the shift "in forum memberships"):
    a republic that leaves the CSTO or becomes an SCO observer moves it; alignment alone
    does not."""
    lvl = m._level_weight[m.membership[:, m.n_powers:]]
    lvl *= m.forum_active[:, None]
    return (np.add.reduce(lvl[np.isin(m.forum_convenor, m.incumbents)], axis=0),
            np.add.reduce(lvl[m.forum_convenor == m.challenger], axis=0))
