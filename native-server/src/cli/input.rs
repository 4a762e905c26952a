//! Reading command inputs: a file path or `-` for standard input, with a size limit.

use std::io::Read;
use std::path::Path;

/// Largest input file a command reads (16 MiB): far above any certificate, JWKS or token.
const MAX_INPUT_BYTES: u64 = 16 * 1024 * 1024;

/// Reads `path`, or standard input when it is `-`.
pub(crate) fn read(path: &Path) -> Result<Vec<u8>, String> {
    let mut buf = Vec::new();
    let res = if path == Path::new("-") {
        std::io::stdin()
            .take(MAX_INPUT_BYTES + 1)
            .read_to_end(&mut buf)
    } else {
        std::fs::File::open(path).and_then(|f| f.take(MAX_INPUT_BYTES + 1).read_to_end(&mut buf))
    };
    res.map_err(|e| format!("{}: {e}", path.display()))?;
    if buf.len() as u64 > MAX_INPUT_BYTES {
        return Err(format!(
            "{}: larger than {MAX_INPUT_BYTES} bytes",
            path.display()
        ));
    }
    Ok(buf)
}
