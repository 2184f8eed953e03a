import rules

from smevoucher.core import access

# The province unit keeps the directory (DESIGN §1); everyone may look a name up.
rules.add_perm("directory.manage_directory", access.is_province_unit)
rules.add_perm("directory.view_directory", access.is_unit_staff)
