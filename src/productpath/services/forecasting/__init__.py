"""Plans and forecasts: throughput forecasts and where their completion dates come from, the stored
roadmap's schedule, forecast and scenarios, estimate calibration from the retrospective, and the
retrospective itself (stored forecasts against what delivery shows). The pages' timeline and the
reports read from here.
"""
