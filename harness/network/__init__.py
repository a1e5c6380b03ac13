"""Networks between the harness and a remote server: profiles, and a shaped link on one host."""
