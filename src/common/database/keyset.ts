/**
 * Where a keyset scan by uuid starts: no id sorts before the nil uuid, so `id > NIL_UUID` is the first page of
 * `ORDER BY id` (and `(time, id) > ('-infinity', NIL_UUID)` the first of a scan by time and id).
 */
export const NIL_UUID = '00000000-0000-0000-0000-000000000000';
