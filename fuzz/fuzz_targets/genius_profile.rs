//! Fuzzes the GENIUS profile reader under both semantics against a fixed domain, then evaluates
//! and analyses what it reads: errors are fine, panics are not.
#![no_main]

use std::path::Path;

use bc_formats::{genius, Semantics};
use libfuzzer_sys::fuzz_target;
use rand::SeedableRng;

const DOMAIN: &str = r#"<negotiation_template><utility_space><objective index="0" name="root">
<issue index="1" name="a" type="discrete"><item index="1" value="x"/><item index="2" value="y"/></issue>
<issue index="2" name="b" type="integer" lowerbound="0" upperbound="9"/>
<issue index="3" name="c" type="real"><range lowerbound="0" upperbound="1"/></issue>
</objective></utility_space></negotiation_template>"#;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let domain = genius::read_domain_str(Path::new("d.xml"), DOMAIN).expect("fixed domain");
    for semantics in [Semantics::Genius, Semantics::Negmas] {
        if let Ok(p) = genius::read_profile_str(Path::new("fuzz.xml"), &text, &domain, semantics) {
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
            for o in domain.space.sample(&mut rng, 16) {
                let _ = p.eval(&o);
            }
            let parties = [&p, &p];
            let _ = bc_model::analyze(&domain.space, &parties, bc_model::Options { enumeration_limit: 1000 });
            let _ = genius::write_profile(&domain.space, &p);
        }
    }
});

