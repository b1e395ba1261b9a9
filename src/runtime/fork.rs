//! A process forked from one that used libdas has none of its parent's threads, so nothing
//! the parent's runtime ran exists in the child. The bindings call [`after_fork_in_child`]
//! there (Python: `os.register_at_fork`), and their own runtime starts anew on first use.

/// Forgets the process-wide state that refers to the parent's runtime: the token providers
/// sessions share, whose HTTP connections that runtime served.
pub fn after_fork_in_child() {
    crate::auth::forget_shared_providers();
}
