//! The readers bounded and strict: an issue's number of listed values is a limit checked before
//! anything of its size is built (at the limit and one past it), integer ranges are not listed, issues of 10^5 values read in
//! linear-logarithmic time, and values a reader used to read silently wrong are refused.

use std::fmt::Write as _;
use std::path::Path;

use bc_formats::{genius, geniusweb, Semantics};

const LIMIT: u64 = 1_000_000; // bc_io::limits::VALUES_PER_ISSUE's default

fn integer_domain(lo: i64, hi: i64) -> String {
    format!(
        r#"<negotiation_template><utility_space number_of_issues="1"><objective index="0" name="root" type="objective">
<issue index="1" name="n" type="integer" lowerbound="{lo}" upperbound="{hi}"></issue>
</objective></utility_space></negotiation_template>"#
    )
}

#[test]
fn genius_integer_issues_are_not_listed_so_any_range_up_to_2_pow_32_reads() {
    // The audit's 0..2*10^9: no longer counted against values-per-issue (nothing is listed).
    let d = genius::read_domain_str(Path::new("d.xml"), &integer_domain(0, 2_000_000_000)).unwrap();
    assert_eq!(d.space.issues()[0].cardinality(), Some(2_000_000_001));
    let p = r#"<utility_space><objective index="0" name="root" type="objective">
<issue index="1" name="n" type="integer" lowerbound="0" upperbound="2000000000"><evaluator ftype="linear" offset="0" slope="5e-10"/></issue>
<weight index="1" value="1"/></objective></utility_space>"#;
    let prefs = genius::read_profile_str(Path::new("p.xml"), p, &d, Semantics::Genius).unwrap();
    assert_eq!(prefs.eval(&d.space.parse_outcome(&["2000000000"]).unwrap()), 1.0);
    assert_eq!(prefs.eval(&d.space.parse_outcome(&["1000000000"]).unwrap()), 0.5);
    // An outcome's value position is 32 bits: 2^32 - 1 values at most, more are refused.
    assert!(genius::read_domain_str(Path::new("d.xml"), &integer_domain(2, 1 << 32)).is_ok());
    let e = genius::read_domain_str(Path::new("d.xml"), &integer_domain(1, 1 << 32)).unwrap_err().to_string();
    assert!(e.contains("d.xml:2") && e.contains("\"n\"") && e.contains("more than 4294967295 values"), "{e}");
}

#[test]
fn geniusweb_range_at_and_past_the_limit() {
    // Integer ranges (step 1) are not listed; other ranges are, within values-per-issue.
    let domain = |hi: String, step: &str| format!(r#"{{"name": "d", "issuesValues": {{"n": {{"range": [0, {hi}, {step}]}}}}}}"#);
    let s = geniusweb::read_domain_str(Path::new("d.json"), &domain("2000000000".into(), "1")).unwrap();
    assert_eq!(s.issues()[0].cardinality(), Some(2_000_000_001));
    let half = |count: u64| ((count - 1) as f64 * 0.5).to_string();
    let s = geniusweb::read_domain_str(Path::new("d.json"), &domain(half(LIMIT), "0.5")).unwrap();
    assert_eq!(s.issues()[0].cardinality(), Some(LIMIT));
    let e = geniusweb::read_domain_str(Path::new("d.json"), &domain(half(LIMIT + 1), "0.5")).unwrap_err().to_string();
    assert!(e.contains("issuesValues.n.range") && e.contains("limit values-per-issue") && e.contains(&(LIMIT + 1).to_string()), "{e}");
    // A table of utilities over an integer range lists it: within values-per-issue.
    let big = geniusweb::read_domain_str(Path::new("d.json"), &domain("2000000000".into(), "1")).unwrap();
    let p = r#"{"LinearAdditiveUtilitySpace": {"issueUtilities": {"n": {"discreteutils": {"valueUtilities": {"1": 1.0}}}}, "issueWeights": {"n": 1.0}}}"#;
    let e = geniusweb::read_profile_str(Path::new("p.json"), p, Some(&big)).unwrap_err().to_string();
    assert!(e.contains("limit values-per-issue") && e.contains("2000000001"), "{e}");
    // A number utility over it is a formula: read, evaluated, never listed.
    let p = r#"{"LinearAdditiveUtilitySpace": {"issueUtilities": {"n": {"numberutils": {"lowValue": 0, "lowUtility": 0, "highValue": 2000000000, "highUtility": 1}}}, "issueWeights": {"n": 1.0}}}"#;
    let (_, prefs) = geniusweb::read_profile_str(Path::new("p.json"), p, Some(&big)).unwrap();
    assert_eq!(prefs.eval(&big.parse_outcome(&["1000000000"]).unwrap()), 0.5);
}

/// A GENIUS domain with one issue of `n` values and a profile giving value `k` evaluation `k`.
fn big_genius(n: usize) -> (String, String) {
    let mut d = String::from(
        r#"<negotiation_template><utility_space number_of_issues="2"><objective index="0" name="root" type="objective"><issue index="1" name="big" type="discrete">"#,
    );
    let mut p =
        String::from(r#"<utility_space><objective index="0" name="root" type="objective"><issue index="1" name="big" type="discrete">"#);
    for k in 0..n {
        let _ = write!(d, r#"<item index="{}" value="v{k}"/>"#, k + 1);
        // The profile lists the values in reverse order.
        let j = n - 1 - k;
        let _ = write!(p, r#"<item index="{}" value="v{j}" evaluation="{}"/>"#, j + 1, j + 1);
    }
    d.push_str(r#"</issue><issue index="2" name="small" type="discrete"><item index="1" value="a"/><item index="2" value="b"/></issue></objective></utility_space></negotiation_template>"#);
    p.push_str(r#"</issue><issue index="2" name="small" type="discrete"><item index="1" value="a" evaluation="1"/><item index="2" value="b" evaluation="2"/></issue><weight index="1" value="0.5"/><weight index="2" value="0.5"/></objective></utility_space>"#);
    (d, p)
}

#[test]
fn issues_of_100000_values_are_read() {
    let n = 100_000;
    let (d, p) = big_genius(n);
    let domain = genius::read_domain_str(Path::new("d.xml"), &d).unwrap();
    let prefs = genius::read_profile_str(Path::new("p.xml"), &p, &domain, Semantics::Genius).unwrap();
    let o = domain.space.parse_outcome(&["v99999", "b"]).unwrap();
    assert_eq!(prefs.eval(&o), 1.0);
    // The same in GeniusWeb.
    let values: Vec<String> = (0..n).map(|k| format!("\"v{k}\"")).collect();
    let wd = format!(r#"{{"name": "d", "issuesValues": {{"big": {{"values": [{}]}}}}}}"#, values.join(","));
    let space = geniusweb::read_domain_str(Path::new("d.json"), &wd).unwrap();
    let utils: Vec<String> = (0..n).rev().map(|k| format!("\"v{k}\": {}", k as f64 / n as f64)).collect();
    let wp = String::from(r#"{"LinearAdditiveUtilitySpace": {"issueUtilities": {"big": {"discreteutils": {"valueUtilities": {"#)
        + &utils.join(",")
        + r#"}}}}, "issueWeights": {"big": 1.0}}}"#;
    let (_, prefs) = geniusweb::read_profile_str(Path::new("p.json"), &wp, Some(&space)).unwrap();
    assert_eq!(prefs.eval(&space.parse_outcome(&["v50000"]).unwrap()), 0.5);
}

const WEB_DOMAIN: &str = r#"{"name": "d", "issuesValues": {"i": {"values": ["x", "y"]}, "j": {"values": ["p", "q"]}}}"#;

fn web_profile(extra: &str, weights: &str) -> String {
    format!(
        r#"{{"LinearAdditiveUtilitySpace": {{"issueUtilities": {{"i": {{"discreteutils": {{"valueUtilities": {{"x": 0.0, "y": 1.0}}}}}}, "j": {{"discreteutils": {{"valueUtilities": {{"p": 0.0, "q": 1.0}}}}}}}}, "issueWeights": {weights}{extra}}}}}"#
    )
}

#[test]
fn geniusweb_reserved_value_must_be_a_number() {
    let space = geniusweb::read_domain_str(Path::new("d.json"), WEB_DOMAIN).unwrap();
    let w = r#"{"i": 0.5, "j": 0.5}"#;
    let (_, p) = geniusweb::read_profile_str(Path::new("p.json"), &web_profile(r#", "reserved_value": 0.5"#, w), Some(&space)).unwrap();
    assert_eq!(p.reserved_value, 0.5);
    for bad in ["true", "\"0.5\"", "null"] {
        let e = geniusweb::read_profile_str(Path::new("p.json"), &web_profile(&format!(r#", "reserved_value": {bad}"#), w), Some(&space))
            .unwrap_err()
            .to_string();
        assert!(e.contains("reserved_value: expected a number") && e.contains(bad), "{bad}: {e}");
    }
    let e = geniusweb::read_profile_str(Path::new("p.json"), &web_profile(r#", "discount_factor": "0.9""#, w), Some(&space)).unwrap_err();
    assert!(e.to_string().contains("discount_factor"), "{e}");
}

#[test]
fn geniusweb_duplicate_keys_are_refused() {
    let space = geniusweb::read_domain_str(Path::new("d.json"), WEB_DOMAIN).unwrap();
    let e = geniusweb::read_profile_str(Path::new("p.json"), &web_profile("", r#"{"i": 0.5, "j": 0.5, "i": 0.5}"#), Some(&space))
        .unwrap_err()
        .to_string();
    assert!(e.contains("\"i\" twice"), "{e}");
    let e = geniusweb::read_domain_str(Path::new("d.json"), r#"{"issuesValues": {"i": {"values": ["x"]}, "i": {"values": ["y"]}}}"#)
        .unwrap_err();
    assert!(e.to_string().contains("twice"), "{e}");
}

#[test]
fn genius_declared_issue_count_must_match() {
    let two = |declared: &str| {
        format!(
            r#"<negotiation_template><utility_space number_of_issues="{declared}"><objective index="0" name="root" type="objective">
<issue index="1" name="a" type="discrete"><item index="1" value="x"/></issue>
<issue index="2" name="b" type="discrete"><item index="1" value="y"/></issue>
</objective></utility_space></negotiation_template>"#
        )
    };
    assert!(genius::read_domain_str(Path::new("d.xml"), &two("2")).is_ok());
    assert!(genius::read_domain_str(Path::new("d.xml"), &two("0")).is_ok(), "GENIUS writes 0");
    let e = genius::read_domain_str(Path::new("d.xml"), &two("7")).unwrap_err().to_string();
    assert!(e.contains("number_of_issues") && e.contains("\"7\""), "{e}");
}

#[test]
fn domain_values_are_trimmed_like_profile_values() {
    let d = r#"<negotiation_template><utility_space><objective index="0" name="root" type="objective">
<issue index="1" name="a" type="discrete"><item index="1" value=" A "/><item index="2" value="B"/></issue>
</objective></utility_space></negotiation_template>"#;
    let domain = genius::read_domain_str(Path::new("d.xml"), d).unwrap();
    assert!(domain.space.parse_outcome(&["A"]).is_ok());
    let dup = d.replace("value=\"B\"", "value=\"A\"");
    assert!(genius::read_domain_str(Path::new("d.xml"), &dup).unwrap_err().to_string().contains("twice"));
}

#[test]
fn overflowing_utilities_are_refused() {
    let (d, _) = big_genius(2);
    let domain = genius::read_domain_str(Path::new("d.xml"), &d).unwrap();
    let p = r#"<utility_space><objective index="0" name="root" type="objective">
<issue index="1" name="big" type="discrete"><item index="1" value="v0" evaluation="320"/><item index="2" value="v1" evaluation="1"/></issue>
<issue index="2" name="small" type="discrete"><item index="1" value="a" evaluation="1"/><item index="2" value="b" evaluation="2"/></issue>
<weight index="1" value="1e308"/><weight index="2" value="0.5"/></objective></utility_space>"#;
    let e = genius::read_profile_str(Path::new("p.xml"), p, &domain, Semantics::Negmas).unwrap_err().to_string();
    assert!(e.contains("overflow"), "{e}");
}
