//! The typed benchmark plan and its rendering to Amazon States Language
