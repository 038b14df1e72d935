//! Random scenarios through the simulator, on meshes all of ours, mixed
//! with original stand-ins, or mostly original (the seed picks; see
//! `mchat_sim::mix`). CI runs 500 seeds; set `MCHAT_SIM_SEEDS=N` for more,
//! or `MCHAT_SIM_SEED=S` to replay one.

use mchat_sim::scenario::run_seed;

fn seeds() -> Vec<u64> {
    if let Some(seed) = std::env::var("MCHAT_SIM_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        return vec![seed];
    }
    let count = std::env::var("MCHAT_SIM_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(500);
    (0..count).collect()
}

#[test]
fn random_scenarios_keep_every_guarantee() {
    let mut sent = 0;
    let mut received = 0;
    for seed in seeds() {
        match run_seed(seed) {
            Ok(outcome) => {
                sent += outcome.sent;
                received += outcome.received;
            }
            Err(e) => panic!(
                "{e}\nreplay with: MCHAT_SIM_SEED={seed} cargo test -p mchat-sim --test random_seeds"
            ),
        }
    }
    assert!(
        sent > 0 && received > 0,
        "the scenarios chatted ({sent} sent, {received} received)"
    );
}
