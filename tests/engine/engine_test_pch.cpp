// Owner of the engine tests precompiled header; intentionally empty.
