[package]
name = "root"
version = "0.0.1"
