//! The file tools: `read_file`, `list_files`, `grep` and `write_file`. Every path goes
//! through [`Workspace::resolve`](crate::Workspace::resolve); named pipes, sockets and
//! devices are refused before they are opened, and no tool's memory grows with the
//! size of a file.

pub(crate) mod grep;
pub(crate) mod list_files;
pub(crate) mod read_file;
mod walk;
pub(crate) mod write_file;

#[cfg(test)]
mod tests;

pub(crate) use crate::Workspace;
pub(crate) use crate::text::{cap_text, truncate_line};
pub(crate) use crate::tool::{
    MAX_OUTPUT_BYTES, ToolError, blocking, invalid, parse_args, relative,
};

/// Opens `path` for reading when it is a regular file, with its size. Directories,
/// named pipes, sockets and devices are refused (reading them could block or never
/// end); the check is made on the open file, so a pipe swapped in is refused too, and
/// the open itself never blocks.
pub(crate) fn open_regular(
    workspace: &Workspace,
    path: &std::path::Path,
) -> Result<(std::fs::File, u64), ToolError> {
    use std::os::unix::fs::OpenOptionsExt as _;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(nix::fcntl::OFlag::O_NONBLOCK.bits())
        .open(path)
        .map_err(|e| ToolError::io(workspace, path, &e))?;
    let metadata = file
        .metadata()
        .map_err(|e| ToolError::io(workspace, path, &e))?;
    let size = regular(workspace, path, &metadata)?;
    Ok((file, size))
}

fn regular(
    workspace: &Workspace,
    path: &std::path::Path,
    metadata: &std::fs::Metadata,
) -> Result<u64, ToolError> {
    use std::os::unix::fs::FileTypeExt as _;
    let kind = metadata.file_type();
    let refused = if kind.is_dir() {
        return Err(ToolError::IsDirectory(relative(workspace, path)));
    } else if kind.is_fifo() {
        "named pipe"
    } else if kind.is_socket() {
        "socket"
    } else if kind.is_block_device() || kind.is_char_device() {
        "device"
    } else {
        return Ok(metadata.len());
    };
    Err(ToolError::NotAFile {
        path: relative(workspace, path),
        kind: refused,
    })
}
