from .export import export_student, student_config, student_state_dict

__all__ = ['export_student', 'student_config', 'student_state_dict']
