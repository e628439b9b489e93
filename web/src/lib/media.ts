/**
 * Below this width (Mantine's `sm`, 48em) wide layouts give way to stacked ones: the instances
 * table becomes cards, the three-way view a list of fields — nothing scrolls sideways.
 */
export const NARROW_QUERY = '(max-width: 48em)';
