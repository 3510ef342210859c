//! Device-code login and the handler that shows the code.

mod console;
mod flow;
mod handler;

pub use console::ConsoleDeviceCodeHandler;
pub(crate) use flow::device_login;
pub use handler::{
    DeviceCodeHandler, DeviceCodeHandlerService, DeviceCodePrompt, RecordingDeviceCodeHandler,
};
