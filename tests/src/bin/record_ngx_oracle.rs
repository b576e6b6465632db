//! Records `expected.jsonl` of every `corpus/ngx/conf` case (or of the cases named on the
//! command line) from real nginx + ngx_lua. Run by `scripts/record-ngx-oracle`.

use moonshift_tests::oracle;

fn main() {
    let root = moonshift_tests::root();
    let wanted: Vec<String> = std::env::args().skip(1).collect();
    if !oracle::nginx_available() {
        eprintln!(
            "record-ngx-oracle: nginx with ngx_lua is not installed (scripts/setup installs it)"
        );
        std::process::exit(2);
    }
    let mut failed = false;
    for case in oracle::cases(&root) {
        if !wanted.is_empty() && !wanted.contains(&case.name) {
            continue;
        }
        match oracle::run_nginx(&case) {
            Ok(observed) => {
                let mut text = String::new();
                for o in &observed {
                    text.push_str(&serde_json::to_string(o).expect("serialisable"));
                    text.push('\n');
                }
                std::fs::write(case.dir.join("expected.jsonl"), text).expect("writing");
                println!("{}: {} requests recorded", case.name, observed.len());
            }
            Err(e) => {
                eprintln!("{}: {e}", case.name);
                failed = true;
            }
        }
    }
    if failed {
        std::process::exit(1);
    }
}
