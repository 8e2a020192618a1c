fn main() -> std::process::ExitCode {
    kvalitet::cli::main()
}
