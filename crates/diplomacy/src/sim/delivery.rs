//! Implementation of agreed steps (capacity and the commitment problem, sequenced or
//! simultaneous), ongoing compliance (withdrawals from standing steps) and the victims' response
//! to a defection they observe (snap back, or wait for redelivery then snap back).

use bc_model::Value;

use super::{Observer, Run, RunEvent, StepState};
use crate::bargain::{Agreement, Proposer};
use crate::draws::Purpose;

/// Why an implementer did or did not deliver.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Why {
    Delivered,
    Unable,
    Reneged,
    HeldBack,
}

impl Why {
    fn name(self) -> &'static str {
        match self {
            Why::Delivered => "delivered",
            Why::Unable => "unable",
            Why::Reneged => "reneged",
            Why::HeldBack => "held back",
        }
    }
}

impl Run<'_> {
    /// Records an agreement on step `s` and its delivery.
    pub(super) fn implement<O: Observer>(&mut self, s: usize, ag: Agreement, obs: &mut O) {
        let m = self.m;
        self.agreements += 1;
        let values = self.package_values(ag.package, ag.mix);
        if O::ENABLED {
            obs.event(RunEvent::Agreed { round: self.t, step: m.steps[s].name.clone(), package: self.describe(ag.package, ag.mix) });
        }
        for (&k, v) in self.table.open.clone().iter().zip(values) {
            self.agreed[k] = Some(v);
        }
        self.mediator_package[s] = ag.proposer == Proposer::Mediator;
        // Announcement.
        self.v = (self.v + m.public.announce_visibility).min(1.0);
        self.e = (self.e + m.public.announce_expectations).min(1.0);
        let implementers = self.implementers(s);
        self.deliver(s, &implementers, false, obs);
    }

    /// The parties that implement some issue of step `s`, in delivery order.
    fn implementers(&self, s: usize) -> Vec<usize> {
        let m = self.m;
        if let Some(order) = &m.steps[s].sequence {
            return order.clone();
        }
        (0..self.n).filter(|&j| m.steps[s].issues.iter().any(|&k| m.issues[k].implementers.contains(&j))).collect()
    }

    /// j's issues of step `s`.
    fn own_issues(&self, s: usize, j: usize) -> Vec<usize> {
        let m = self.m;
        m.steps[s].issues.iter().copied().filter(|&k| m.issues[k].implementers.contains(&j)).collect()
    }

    /// The strategic test of MODEL.md: j delivers iff `D + C(tau) >= G (1 - delta^grace) +
    /// C(tau')`, where D is the step's value to j (plus the mediator's leverage), G the one-off
    /// gain of keeping the others' part without paying its own until the response takes it
    /// back, and C its continuation value with the others' trust intact or after they saw it
    /// defect. `first_mover`: an earlier mover of a sequenced step (the others have not
    /// delivered, so it cannot gain by reneging: G = 0).
    fn chooses_to_deliver(&mut self, s: usize, j: usize, first_mover: bool) -> bool {
        let m = self.m;
        let own = self.own_issues(s, j);
        let all: Vec<(usize, Option<Value>)> = m.steps[s].issues.iter().map(|&k| (k, self.agreed[k])).collect();
        let others: Vec<(usize, Option<Value>)> = all.iter().copied().filter(|(k, _)| !own.contains(k)).collect();
        let now = self.value_now(j);
        let d = self.value_with(j, &all) - now + self.lev[j];
        let g = if first_mover { 0.0 } else { self.value_with(j, &others) - now };
        let (tau, tau_after) = self.trust_in(j, m.steps[s].verifiability);
        let keep = d + self.continuation(j, s, tau);
        let renege = g * self.process.exposure[j] + self.continuation(j, s, tau_after);
        keep >= renege
    }

    /// Delivery of step `s` by `who` (in order): each is able to deliver each of its issues
    /// with its capacity, and chooses whether to deliver; every other party observes each
    /// delivery with the step's verifiability and updates its belief. `retry`: a redelivery
    /// during a `wait` (the step is pending).
    fn deliver<O: Observer>(&mut self, s: usize, who: &[usize], retry: bool, obs: &mut O) {
        let m = self.m;
        let t = self.t;
        let step = &m.steps[s];
        let sequenced = step.sequence.is_some();
        let mut delivered = vec![false; self.n];
        let mut changes: Vec<(usize, Option<Value>)> = Vec::new();
        let mut failed_before = false;
        let mut saw_defection = vec![false; self.n];
        let mut any_seen = false;
        for (pos, &j) in who.iter().enumerate() {
            let own = self.own_issues(s, j);
            let why = if sequenced && failed_before {
                Why::HeldBack
            } else {
                let able =
                    own.iter().all(|&k| self.draws.uniform(Purpose::Capacity, &[u64::from(t), j as u64, k as u64]) < m.parties[j].capacity);
                let first_mover = sequenced && pos + 1 < who.len();
                if !able {
                    Why::Unable
                } else if self.chooses_to_deliver(s, j, first_mover) {
                    Why::Delivered
                } else {
                    Why::Reneged
                }
            };
            let ok = why == Why::Delivered;
            delivered[j] = ok;
            if ok {
                changes.extend(own.iter().map(|&k| (k, self.agreed[k])));
                if self.first_delivery[j].is_none() {
                    self.first_delivery[j] = Some(t);
                }
            } else if why != Why::HeldBack {
                failed_before = true;
            }
            if why == Why::HeldBack {
                if O::ENABLED {
                    obs.event(RunEvent::Delivery {
                        round: t,
                        party: m.parties[j].id.clone(),
                        delivered: false,
                        why: why.name().into(),
                        observed: Vec::new(),
                    });
                }
                continue;
            }
            // Observation and Bayes.
            let mut seen = Vec::new();
            for i in (0..self.n).filter(|&i| i != j) {
                let correct = self.draws.uniform(Purpose::Observe, &[u64::from(t), i as u64, j as u64, step.key]) < step.verifiability;
                let saw = if correct { ok } else { !ok };
                self.beliefs[i][j].observe(saw, step.verifiability);
                self.stale[i] = true;
                if !saw {
                    saw_defection[i] = true;
                    any_seen = true;
                }
                if O::ENABLED {
                    seen.push((m.parties[i].id.clone(), saw));
                }
            }
            if O::ENABLED {
                obs.event(RunEvent::Delivery {
                    round: t,
                    party: m.parties[j].id.clone(),
                    delivered: ok,
                    why: why.name().into(),
                    observed: seen,
                });
            }
        }
        self.set_issues(&changes);
        let all_delivered = who.iter().all(|&j| delivered[j]);
        let owed: Vec<bool> = match &self.state[s] {
            StepState::Pending { owed, .. } if retry => (0..self.n).map(|j| owed[j] && !delivered[j]).collect(),
            _ => (0..self.n).map(|j| who.contains(&j) && !delivered[j]).collect(),
        };
        let nothing_owed = owed.iter().all(|o| !o);
        if retry {
            if nothing_owed {
                // A step every implementer had delivered (a false alarm, a withdrawal) was
                // implemented already; it stands again without counting twice.
                let stood = matches!(self.state[s], StepState::Pending { stood: true, .. });
                self.state[s] = StepState::Standing { limping: false };
                if !stood {
                    self.step_done(s, obs);
                }
                if O::ENABLED {
                    obs.event(RunEvent::Response { round: t, step: step.name.clone(), what: "redelivered".into() });
                }
            } else if let StepState::Pending { owed: o, .. } = &mut self.state[s] {
                *o = owed;
            }
        } else if any_seen {
            // Victims act on what they saw, even a false alarm; a step every implementer had
            // delivered was implemented, and its snap-back is a reversal.
            if all_delivered {
                self.step_done(s, obs);
            }
            self.record_setback();
            self.state[s] = StepState::Pending { due: t + m.response.grace, owed, stood: all_delivered };
        } else {
            self.state[s] = StepState::Standing { limping: !all_delivered };
            if all_delivered {
                self.step_done(s, obs);
            }
        }
        // The mediator's record on a package it proposed.
        if let (Some(med), true) = (&m.mediator, self.mediator_package[s] && self.mediator_in) {
            for i in 0..self.n {
                let st = if saw_defection[i] { self.standing[i] - med.loss } else { self.standing[i] + med.gain };
                self.standing[i] = st.clamp(0.0, 1.0);
            }
            if O::ENABLED {
                obs.event(RunEvent::Standing { round: t, standing: self.standing.clone() });
            }
        }
        if O::ENABLED {
            obs.event(RunEvent::Trust { round: t, trust: self.trust_matrix() });
        }
        self.progress = self.implemented_share();
    }

    fn step_done<O: Observer>(&mut self, s: usize, obs: &mut O) {
        self.steps_implemented += 1;
        if self.first_step_round.is_none() {
            self.first_step_round = Some(self.t);
        }
        if O::ENABLED {
            obs.event(RunEvent::StepDone { round: self.t, step: self.m.steps[s].name.clone() });
        }
    }

    /// Ongoing compliance: each implementer of each standing step may lose the capacity to keep
    /// it (its per-round withdrawal hazard) or choose to withdraw when keeping it no longer pays
    /// (the delivery test, with the step's value now what it keeps and the leverage as it is
    /// now). A withdrawal reverts the withdrawer's issues and is observed like a delivery.
    pub(super) fn withdrawals<O: Observer>(&mut self, obs: &mut O) {
        let m = self.m;
        let t = self.t;
        for s in 0..m.steps.len() {
            if !matches!(self.state[s], StepState::Standing { .. }) {
                continue;
            }
            let step = &m.steps[s];
            for j in self.implementers(s) {
                let own = self.own_issues(s, j);
                if own.iter().any(|&k| self.current[k] != self.agreed[k]) {
                    continue; // never delivered (a limping step)
                }
                let hazard = self.draws.uniform(Purpose::Withdraw, &[u64::from(t), j as u64, step.key]) < m.parties[j].withdrawal;
                let strategic = !hazard && {
                    // The step's value to j and j's gain from reverting its own issues depend only
                    // on the state: computed once per state.
                    let slot = s * self.n + j;
                    let (step_value, gain) = match self.withdrawal_values[slot] {
                        (v, step_value, gain) if v == self.version => (step_value, gain),
                        _ => {
                            let revert_all: Vec<(usize, Option<Value>)> =
                                step.issues.iter().map(|&k| (k, m.issues[k].status_quo)).collect();
                            let revert_own: Vec<(usize, Option<Value>)> = own.iter().map(|&k| (k, m.issues[k].status_quo)).collect();
                            let now = self.value_now(j);
                            let values = (now - self.value_with(j, &revert_all), self.value_with(j, &revert_own) - now);
                            self.withdrawal_values[slot] = (self.version, values.0, values.1);
                            values
                        }
                    };
                    let keep_value = step_value + self.lev[j];
                    let temptation = gain * self.process.exposure[j];
                    // C(tau) >= C(tau'): when the step pays by itself the reputation need not
                    // be weighed.
                    keep_value < temptation && {
                        let (tau, tau_after) = self.trust_in(j, step.verifiability);
                        keep_value + self.continuation(j, s, tau) < temptation + self.continuation(j, s, tau_after)
                    }
                };
                if !(hazard || strategic) {
                    continue;
                }
                self.withdrawals += 1;
                let revert: Vec<(usize, Option<Value>)> = own.iter().map(|&k| (k, m.issues[k].status_quo)).collect();
                self.set_issues(&revert);
                let mut seen = Vec::new();
                let mut any = false;
                for i in (0..self.n).filter(|&i| i != j) {
                    let correct =
                        self.draws.uniform(Purpose::Observe, &[u64::from(t), i as u64, j as u64, step.key ^ 0x5757]) < step.verifiability;
                    let saw_delivery = !correct;
                    self.beliefs[i][j].observe(saw_delivery, step.verifiability);
                    self.stale[i] = true;
                    any |= !saw_delivery;
                    if O::ENABLED {
                        seen.push((m.parties[i].id.clone(), !saw_delivery));
                    }
                }
                if O::ENABLED {
                    let reason = if hazard { "capacity" } else { "strategic" };
                    obs.event(RunEvent::Withdrawal {
                        round: t,
                        party: m.parties[j].id.clone(),
                        step: step.name.clone(),
                        reason: reason.into(),
                        observed: seen,
                    });
                }
                if any {
                    if self.left.is_none() {
                        self.record_setback();
                    }
                    let owed = (0..self.n).map(|x| x == j).collect();
                    self.state[s] = StepState::Pending { due: t + m.response.grace, owed, stood: true };
                    break;
                }
                self.state[s] = StepState::Standing { limping: true };
            }
        }
    }

    /// Responses falling due: under `wait` the defaulters may redeliver until the grace ends;
    /// then (and at once under `snap_back` when the grace ends) the victims reverse their
    /// deliveries and the step returns to the table whole.
    pub(super) fn responses<O: Observer>(&mut self, obs: &mut O) {
        let m = self.m;
        let t = self.t;
        for s in 0..m.steps.len() {
            let StepState::Pending { due, owed, stood } = self.state[s].clone() else { continue };
            if t < due {
                // Under `wait` the defaulters may redeliver from the round after the defection.
                if !m.response.snap_back && self.left.is_none() && t + m.response.grace > due {
                    let who: Vec<usize> = (0..self.n).filter(|&j| owed[j]).collect();
                    self.deliver(s, &who, true, obs);
                }
                continue;
            }
            let revert: Vec<(usize, Option<Value>)> = m.steps[s].issues.iter().map(|&k| (k, m.issues[k].status_quo)).collect();
            self.set_issues(&revert);
            for &k in &m.steps[s].issues {
                self.agreed[k] = None;
            }
            self.state[s] = StepState::Open;
            if stood {
                self.reversals += 1;
            }
            if self.loaded.is_some_and(|l| l >= s) {
                self.loaded = None; // the state changed: reload the table when it opens
            }
            if O::ENABLED {
                obs.event(RunEvent::Response { round: t, step: m.steps[s].name.clone(), what: "snap_back".into() });
            }
        }
    }
}
