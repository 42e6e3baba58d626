"""Each mechanism of the model, pinned down by its sign and size.

Every test here fails when its mechanism is switched off or its sign is flipped (the
closing note of the change that added this file lists the mutations tried). None of them
asserts the model's answer to the wedge question: they check how the state responds to a
change of input, against the equation in docs/model.md, with common random numbers
(same seed, paired runs) so that a difference is the mechanism and not noise.
"""

from __future__ import annotations

import numpy as np
import pytest

from greatgame.sim import GreatGameModel
from greatgame.sim.agents import NONE
from greatgame.sim.influence import channel_scores, hedging_utility

SEEDS = range(4)


def model(overrides=None, seed=0, years=None, name="abe_2015"):
    return GreatGameModel(name, rng=seed, overrides=overrides or {}, years=years, collect_every=0)


def idx(m, power=None, republic=None):
    out = []
    if power is not None:
        out.append(m._pi[power])
    if republic is not None:
        out.append(m._ri[republic])
    return out[0] if len(out) == 1 else tuple(out)


# ------------------------------------------------------------------ trade


def test_trade_grows_with_the_republics_economy_at_the_documented_rate():
    """Bilateral trade grows at the mean of the two economies' growth rates (docs/model.md):
    one more point of a republic's GDP growth adds half a point a year to its trade with
    every power, and nothing to the other republics' trade."""
    quiet = {"parameters.investment_to_trade": 0.0}
    g = model(quiet).spec.republics["kazakhstan"].gdp_growth
    base = model(quiet, years=1).run()
    faster = model({**quiet, "republics.kazakhstan.gdp_growth": g + 0.02}, years=1).run()
    kz = base._ri["kazakhstan"]
    ratio = faster.trade[:, kz] / base.trade[:, kz]
    yearly = 1.0 + base._trade_growth[:, kz] + base.trade_boost[:, kz] + \
        base.params.customs_union_premium * base._customs_union_pairs[:, kz]
    expected = (yearly + 0.01) / yearly  # four quarters of ((1 + g') / (1 + g)) ** 0.25
    np.testing.assert_allclose(ratio, expected, rtol=1e-9)
    assert (ratio > 1.0).all()
    others = [j for j in range(base.n_republics) if j != kz]
    np.testing.assert_allclose(faster.trade[:, others], base.trade[:, others], rtol=1e-12)


def test_new_investment_creates_trade_in_proportion():
    """investment_to_trade: each US$ of new investment adds that many US$ of yearly trade."""
    m = model({"parameters.trade_noise": 0.0})
    m.flows[:] = 0.0
    ch, kz = idx(m, "china", "kazakhstan")
    m.flows[2, ch, kz] = 1.0  # US$ 1bn of new Chinese investment this quarter
    before = m.trade.copy()
    m._update_economy()
    grown = before * m._trade_factors[0]  # no noise: the quarter's growth factor alone
    added = m.trade - grown
    assert added[ch, kz] == pytest.approx(m.params.investment_to_trade, rel=1e-9)
    assert m.params.investment_to_trade > 0
    added[ch, kz] = 0.0
    np.testing.assert_allclose(added, 0.0, atol=1e-9)


def test_more_trade_means_more_influence_by_the_channel_elasticity():
    """Doubling China's trade with Kazakhstan raises China's influence there by the trade
    weight times the change of its FBIC-style score, and lowers every rival's trade score
    (their share of Kazakhstan's total trade falls)."""
    m = model()
    ch, kz = idx(m, "china", "kazakhstan")
    b0, o0 = m.bandwidth_raw()
    h = m._const.half_saturation
    h = h[:, 0, 0] if np.ndim(h) == 3 else h
    s0 = channel_scores(b0, o0, np.asarray(h, float), m.params.dependence_weight)
    b1 = b0.copy()
    b1[0, ch, kz] *= 2.0
    s1 = channel_scores(b1, o0, np.asarray(h, float), m.params.dependence_weight)
    # the score's closed form: (1 - d) B / (B + h) + d B / (sum of B + others + h)
    d, B, hT = m.params.dependence_weight, b1[0, ch, kz], h[0]
    total = b1[0, :, kz].sum() + o0[0, kz] + hT
    assert s1[0, ch, kz] == pytest.approx((1 - d) * B / (B + hT) + d * B / total, rel=1e-12)
    assert s1[0, ch, kz] > s0[0, ch, kz]
    rivals = [p for p in range(m.n_powers) if p != ch and b0[0, p, kz] > 0]
    assert rivals and (s1[0, rivals, kz] < s0[0, rivals, kz]).all()
    # in the model itself, the same change raises China's influence by weight x score change
    inf0 = m.influence[ch, kz]
    m.trade[ch, kz] *= 2.0
    m._compute_influence()
    weight = m.channel_weights[0]
    assert m.influence[ch, kz] - inf0 == pytest.approx(weight * (s1[0, ch, kz] - s0[0, ch, kz]), rel=1e-9)


def test_a_trickle_from_a_sole_source_is_not_dependence():
    """A power that is a republic's only source in a channel, with no outsiders, is not
    'dependence' when the flow is small: the score goes to 0 with the flow (no jump to the
    dependence weight), and approaches the plain share once the flow dwarfs h."""
    h = np.array([0.1])
    d = 0.5
    others = np.zeros((1, 1))

    def score(b):
        return channel_scores(np.array([[[b]]]), others, h, d)[0, 0, 0]

    tiny = score(1e-6)
    assert tiny < 1e-4  # before the fix: 0.5 (the full dependence weight) for any positive flow
    assert score(0.002) == pytest.approx(0.5 * 0.002 / 0.102 + 0.5 * 0.002 / 0.102, rel=1e-12)
    big = score(100.0)  # B >> h: both halves near 1
    assert big == pytest.approx(1.0, abs=2e-3)
    # monotone in the flow
    flows = [1e-4, 1e-3, 1e-2, 0.1, 1.0]
    assert np.all(np.diff([score(b) for b in flows]) > 0)


@pytest.mark.parametrize("seed", SEEDS)
def test_doubling_chinas_trade_raises_chinas_alignment(seed):
    total = model().spec.trade["china"].total
    base = model(seed=seed, years=5).run()
    more = model({"trade.china.total": 2 * total}, seed=seed, years=5).run()
    ch = base._pi["china"]
    gain = more.alignment[:, ch] - base.alignment[:, ch]
    assert (gain > 0).all(), gain


# ------------------------------------------------------------------ remittances


def test_remittances_carry_influence():
    """Russia's remittance channel in Tajikistan: its influence there falls by the channel's
    weight times its score when the remittances are removed."""
    m = model()
    ru, tj = idx(m, "russia", "tajikistan")
    assert m.remit_share[ru, tj] > 0
    with_remit = m.influence[ru, tj]
    score = m.scores[3, ru, tj]
    m.remit_share[ru, tj] = 0.0
    m._compute_influence()
    assert m.scores[3, ru, tj] == 0.0
    assert with_remit - m.influence[ru, tj] == pytest.approx(m.channel_weights[3] * score, rel=1e-9)
    assert with_remit - m.influence[ru, tj] > 0


# ------------------------------------------------------------------ money stocks


def test_aid_and_debt_stocks_account_for_every_dollar():
    """aid' = aid * (1 - decay)^(1/4) + grants + loans; debt' = debt * (1 - amortisation)^(1/4) + loans."""
    m = model()
    rng = np.random.default_rng(1)
    m.flows[:] = rng.uniform(0, 0.2, m.flows.shape)
    aid, debt, inv = m.aid.copy(), m.debt.copy(), m.investment.copy()
    m._update_economy()
    keep_aid = (1 - m.params.aid_decay) ** 0.25
    keep_debt = (1 - m.params.debt_amortisation) ** 0.25
    keep_inv = (1 - m.params.investment_decay) ** 0.25
    np.testing.assert_allclose(m.aid, aid * keep_aid + m.flows[0] + m.flows[1], rtol=1e-12)
    np.testing.assert_allclose(m.debt, debt * keep_debt + m.flows[1], rtol=1e-12)
    np.testing.assert_allclose(m.investment, inv * keep_inv + m.flows[2], rtol=1e-12)


# ------------------------------------------------------------------ soft power


def test_money_in_view_raises_favourability_and_it_reverts():
    """fav' = clip(fav + v * (grants + (loans + investment)/2) / GDP, then pulled toward base)."""
    m = model()
    jp, uz = idx(m, "japan", "uzbekistan")
    m.flows[:] = 0.0
    m.flows[0, jp, uz] = 0.05 * m.gdp_r[uz] / 4  # grants worth 5% of GDP a year, this quarter
    fav0, base = m.favour.copy(), m.favour_base.copy()
    m._update_soft_power()
    v = m.params.soft_power_visibility
    pull = 1 - (1 - m.params.soft_power_reversion) ** 0.25
    raised = fav0[jp, uz] + v * m.flows[0, jp, uz] / m.gdp_r[uz]
    expected = np.clip(raised + pull * (base[jp, uz] - raised), 0, 1)
    assert m.favour[jp, uz] == pytest.approx(expected, rel=1e-9)
    assert m.favour[jp, uz] > fav0[jp, uz]
    # no money: every favourability moves toward its baseline, none overshoots it
    m.flows[:] = 0.0
    gap0 = np.abs(m.favour - base)
    m._update_soft_power()
    gap1 = np.abs(m.favour - base)
    assert (gap1 <= gap0 + 1e-15).all() and gap1[jp, uz] < gap0[jp, uz]


# ------------------------------------------------------------------ hedging


def test_alignment_moves_the_adjustment_rate_toward_the_target():
    m = model()
    m.target = np.full_like(m.alignment, 1.0 / m.n_powers)
    before = m.alignment.copy()
    m._update_alignment()
    a = m.params.adjustment_rate
    np.testing.assert_allclose(m.alignment, (1 - a) * before + a * m.target, rtol=1e-12)


def test_hedging_utility_is_influence_less_threat_less_autonomy_cost():
    inf = np.array([[0.6, 0.1], [0.2, 0.1], [0.1, 0.3]])
    threat = np.array([[0.05, 0.0], [0.0, 0.0], [0.0, 0.02]])
    share = inf / inf.sum(axis=0)
    u = hedging_utility(inf, threat, autonomy_cost=2.0, dominance_threshold=0.4)
    np.testing.assert_allclose(u, inf - threat - 2.0 * np.maximum(share - 0.4, 0), rtol=1e-12)


@pytest.mark.parametrize("seed", SEEDS)
def test_autonomy_cost_restrains_the_dominant_power(seed):
    """With a higher autonomy cost each republic leans less toward the power that holds the
    largest share of its influence (republics 'aspire to diversify', source 001)."""
    low = model({"parameters.autonomy_cost": 0.0}, seed=seed, years=5).run()
    high = model({"parameters.autonomy_cost": 3.0}, seed=seed, years=5).run()
    top = low.influence_share.argmax(axis=0)  # the dominant power of each republic
    r = np.arange(low.n_republics)
    assert (high.alignment[r, top] < low.alignment[r, top]).all()


@pytest.mark.parametrize("seed", SEEDS)
def test_a_bordering_great_power_is_feared(seed):
    """A higher threat weight lowers the alignment with bordering powers (China and Russia
    border Kazakhstan) and leaves a non-bordering power (Japan) better off there."""
    calm = model({"parameters.threat_weight": 0.0}, seed=seed, years=5).run()
    tense = model({"parameters.threat_weight": 0.1}, seed=seed, years=5).run()
    kz = calm._ri["kazakhstan"]
    for p in ("china", "russia"):
        assert calm.borders[calm._pi[p], kz] == 1.0
        assert tense.alignment[kz, calm._pi[p]] < calm.alignment[kz, calm._pi[p]]
    assert calm.borders[calm._pi["japan"], kz] == 0.0
    assert tense.alignment[kz, calm._pi["japan"]] > calm.alignment[kz, calm._pi["japan"]]


def test_choice_sensitivity_sharpens_the_target():
    """softmax(beta * U): a higher beta puts more of the target on the best-valued power."""
    flat = model({"parameters.choice_sensitivity": 1.0, "parameters.alignment_noise": 0.0})
    sharp = model({"parameters.choice_sensitivity": 8.0, "parameters.alignment_noise": 0.0})
    for m in (flat, sharp):
        m._draw_targets()
    best = flat.utility.argmax(axis=0)
    r = np.arange(flat.n_republics)
    assert (sharp.target[r, best] > flat.target[r, best]).all()


# ------------------------------------------------------------------ forums


def test_the_yearly_review_lets_a_republic_join_a_forum_it_leans_toward():
    """Uzbekistan, outside the EAEU in 2015, aligned nine-tenths with Russia (its convenor)
    takes a step toward it at the next yearly review, and not before."""
    m = model()
    uz, ru = m._ri["uzbekistan"], m._pi["russia"]
    f = m.forum_ids.index("eaeu")
    col = m.n_powers + uz
    assert m.membership[f, col] == NONE
    lean = np.full(m.n_powers, 0.1 / (m.n_powers - 1))
    lean[ru] = 0.9
    m.alignment[uz] = lean
    for _ in range(3):
        m.step()
        assert m.membership[f, col] == NONE
    m.alignment[uz] = lean
    m.step()  # the fourth quarter: the yearly review
    assert m.membership[f, col] > NONE


def test_favourability_follows_the_money_during_a_run():
    """Over a run, a power that disburses grants in a republic ends above its baseline
    favourability there, by more when it gives more."""
    base = model(years=2).run()
    richer = model({"powers.japan.budget.grants": 5 * model().spec.powers["japan"].budget.grants}, years=2).run()
    jp = base._pi["japan"]
    gained = base.favour[jp] - base.favour_base[jp]
    assert (gained > 0).any()
    assert (richer.favour[jp] >= base.favour[jp] - 1e-12).all()
    assert (richer.favour[jp] > base.favour[jp]).any()


# ------------------------------------------------------------------ dated drivers


def _event_model(tmp_path, event: str, years=1):
    """abe_2015 with one extra dated event (a YAML flow mapping) in an initiative of its own."""
    path = tmp_path / "with_event.yaml"
    path.write_text(f"name: with_event\nextends: abe_2015\nparameters: {{trade_noise: 0.0}}\n"
                    f"initiatives:\n  extra:\n    events:\n      - {event}\n", encoding="utf-8")
    return GreatGameModel(str(path), rng=0, years=years, collect_every=0)


def test_an_oil_price_shock_moves_energy_exports_and_the_trade_that_holds_them(tmp_path):
    """energy_price x f: energy exports to every buyer scale by f, and trade by the same US$."""
    plain = GreatGameModel("abe_2015", rng=0, years=1, collect_every=0, overrides={"parameters.trade_noise": 0.0})
    m = _event_model(tmp_path, "{date: 2016-01, kind: shock, target: energy_price, factor: 0.5}")
    for x in (plain, m):
        x.run_for(2)  # 2015-Q4, then 2016-Q1 when the shock applies
    ch, tm = idx(m, "china", "turkmenistan")
    assert m.energy[ch, tm] == pytest.approx(0.5 * plain.energy[ch, tm], rel=1e-9)
    assert plain.trade[ch, tm] - m.trade[ch, tm] == pytest.approx(0.5 * plain.energy[ch, tm], rel=1e-6)
    kz = m._ri["kazakhstan"]
    assert m.row_energy[kz] == pytest.approx(0.5 * plain.row_energy[kz], rel=1e-9)
    jp = m._pi["japan"]
    assert m.trade[jp, tm] == pytest.approx(plain.trade[jp, tm], rel=1e-9)  # no Japanese energy imports


def test_a_security_shock_scales_the_standing_guarantee(tmp_path):
    plain = GreatGameModel("abe_2015", rng=0, years=1, collect_every=0)
    m = _event_model(tmp_path, "{date: 2016-01, kind: shock, target: security, power: russia, republic: kazakhstan, "
                               "factor: 1.5}")
    for x in (plain, m):
        x.run_for(2)
    ru, kz = idx(m, "russia", "kazakhstan")
    assert m.security_static[ru, kz] == pytest.approx(1.5 * plain.security_static[ru, kz], rel=1e-12)
    assert m.security[ru, kz] > plain.security[ru, kz]
    assert m.influence[ru, kz] > plain.influence[ru, kz]


# ------------------------------------------------------------------ republics that differ


def _republic_decision(tmp_path, republic: str, decision: str):
    path = tmp_path / "own_mind.yaml"
    path.write_text(f"name: own_mind\nextends: abe_2015\nrepublics:\n  {republic}:\n    decision: {decision}\n",
                    encoding="utf-8")
    return GreatGameModel(str(path), rng=0, collect_every=0)


def test_a_republics_own_autonomy_cost_changes_its_hedging_only(tmp_path):
    """republics.R.decision.autonomy_cost: κ for that republic alone. Its dominant power's
    utility falls by (κ_R − κ)·max(0, share − d0); every other republic's utility is unchanged."""
    plain = model()
    own = _republic_decision(tmp_path, "kazakhstan", "{autonomy_cost: 3.0}")
    kz = plain._ri["kazakhstan"]
    others = [j for j in range(plain.n_republics) if j != kz]
    np.testing.assert_array_equal(own.utility[:, others], plain.utility[:, others])
    excess = np.maximum(plain.influence_share[:, kz] - plain.params.dominance_threshold, 0)
    assert excess.max() > 0
    np.testing.assert_allclose(plain.utility[:, kz] - own.utility[:, kz],
                               (3.0 - plain.params.autonomy_cost) * excess, rtol=1e-12)
    for m in (plain, own):
        m.step()
    top = plain.influence_share[:, kz].argmax()
    assert own.target[kz, top] < plain.target[kz, top]
    np.testing.assert_array_equal(own.target[others], plain.target[others])


def test_a_republics_own_choice_sensitivity_sharpens_its_target_only(tmp_path):
    plain = model({"parameters.alignment_noise": 0.0})
    path = tmp_path / "sharp.yaml"
    path.write_text("name: sharp\nextends: abe_2015\nparameters: {alignment_noise: 0.0}\n"
                    "republics:\n  uzbekistan:\n    decision: {choice_sensitivity: 12.0}\n", encoding="utf-8")
    sharp = GreatGameModel(str(path), rng=0, collect_every=0)
    for m in (plain, sharp):
        m._draw_targets()
    uz = plain._ri["uzbekistan"]
    best = plain.utility[:, uz].argmax()
    assert sharp.target[uz, best] > plain.target[uz, best]
    others = [j for j in range(plain.n_republics) if j != uz]
    np.testing.assert_array_equal(sharp.target[others], plain.target[others])


def test_forum_ties_count_memberships_of_each_sides_forums():
    """The forum measure of the headline: leaving a forum an incumbent convenes lowers the
    republic's incumbent_forums by its level (1 for a member), becoming an observer of the
    challenger's forum raises challenger_forums by observer_level, and nobody else moves."""
    from greatgame.sim.forums import MEMBER, OBSERVER, forum_ties, set_membership

    m = model(name="history")
    m.run_for(40)  # 2025-Q4: every forum of the record active
    inc0, ch0 = forum_ties(m)
    kz = idx(m, republic="kazakhstan")
    col = m.n_powers + kz
    csto = m.forum_ids.index("csto")
    assert m.forum_convenor[csto] in m.incumbents and m.membership[csto, col] == MEMBER
    set_membership(m, csto, col, NONE, quiet=True)
    inc1, ch1 = forum_ties(m)
    assert inc1[kz] == pytest.approx(inc0[kz] - 1.0)
    np.testing.assert_array_equal(np.delete(inc1, kz), np.delete(inc0, kz))
    np.testing.assert_array_equal(ch1, ch0)
    tm = idx(m, republic="turkmenistan")
    cj = [f for f in range(len(m.forum_ids)) if m.forum_convenor[f] == m.challenger and m.forum_active[f]][0]
    set_membership(m, cj, m.n_powers + tm, NONE, quiet=True)
    _, ch2 = forum_ties(m)
    set_membership(m, cj, m.n_powers + tm, OBSERVER, quiet=True)
    _, ch3 = forum_ties(m)
    assert ch3[tm] - ch2[tm] == pytest.approx(m.params.observer_level) and m.params.observer_level > 0
    m.forum_active[cj] = False  # a forum that does not exist (yet) counts for nobody
    _, ch4 = forum_ties(m)
    assert ch4[tm] == pytest.approx(ch2[tm])
