[package]
name = "check_imported_modules_first"
version = "0.0.1"
