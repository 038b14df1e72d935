//! Durations as people read them in the tester's output (`59 ms`, `1.2 s`),
//! never Rust's debug form (`59.3ms`, `Some(0)`).

use std::time::Duration;

/// `850 µs`, `59 ms`, `1.2 s`, `2 min 3 s`: the unit that keeps the number short.
pub fn duration(d: Duration) -> String {
    let secs = d.as_secs_f64();
    if secs < 1e-3 {
        format!("{} µs", d.as_micros())
    } else if secs < 1.0 {
        format!("{} ms", d.as_millis())
    } else if secs < 60.0 {
        format!("{secs:.1} s")
    } else {
        format!("{} min {} s", d.as_secs() / 60, d.as_secs() % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::duration;
    use std::time::Duration;

    #[test]
    fn each_duration_in_the_unit_that_keeps_it_short() {
        assert_eq!(duration(Duration::from_micros(850)), "850 µs");
        assert_eq!(duration(Duration::from_micros(59_300)), "59 ms");
        assert_eq!(duration(Duration::from_millis(1_234)), "1.2 s");
        assert_eq!(duration(Duration::from_secs(60)), "1 min 0 s");
        assert_eq!(duration(Duration::from_secs(123)), "2 min 3 s");
    }
}
