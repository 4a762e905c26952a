//! Writes fresh bench fixtures (tokens issued now) as JSON to stdout.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let iat = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_secs();
    let fixtures = certbound_bench::Fixtures::generate(iat)?;
    println!("{}", fixtures.to_json());
    Ok(())
}
