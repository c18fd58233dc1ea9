# Sourced by the scripts: lets Open MPI run as root (containers, CI) and run more ranks
# than cores (laptops, this repository's 2-core test machines).
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_rmaps_base_oversubscribe=1
# Rank 0 writes the HDF5 snapshot from a second thread while it fills SQLite: Open MPI's
# default binding (one core per rank when there are 2 ranks or fewer) would pin both
# threads to one core.
export OMPI_MCA_hwloc_base_binding_policy=none
