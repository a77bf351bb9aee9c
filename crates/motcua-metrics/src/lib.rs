//! motcua-metrics (under construction)
