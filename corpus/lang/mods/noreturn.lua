-- a module that returns nothing but sets a global
moonshift_noreturn_loaded = (moonshift_noreturn_loaded or 0) + 1
