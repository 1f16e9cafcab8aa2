//! drkit
