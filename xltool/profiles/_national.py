"""The built-in ``national`` profile as Python data (generated from national.toml: no TOML parsing at
start-up). Regenerate with ``python -m xltool.profiles.gen`` after editing national.toml;
tests/test_profiles.py keeps the two equal."""

DATA = {'name': 'national',
 'title': '全国通用（财政部财预〔2020〕10号）',
 'grades': {'summary': [[85, '优秀'], [75, '良好'], [60, '一般'], [0, '较差']],
            'form': [[90, '优'], [80, '良'], [60, '中'], [0, '差']],
            'indicator': [[90, '优'], [80, '良'], [60, '中'], [0, '差']]},
 'execution_score': {'rule': 'proportional', 'points': 10, 'zero_budget_rate': 0.0},
 'weights': {'产出指标': 50, '效益指标': 30, '满意度指标': 10, '预算执行率': 10},
 'tolerance': {'amount_decimals': 2, 'rate_decimals': 0, 'score_decimals': 1, 'high_actual_ratio': 1.2},
 'opinions': {'low_execution_rate': 0.6,
              'continue_words': ['继续推进', '继续实施', '继续执行'],
              'adjust_words': ['调整优化', '调整', '优化', '压减', '整改']},
 'qualitative': [{'name': '未达成', 'low': 0, 'high': 60, 'words': ['未达成', '未完成', '没有达成', '没有完成', '未实现']},
                 {'name': '部分达成', 'low': 60, 'high': 80, 'words': ['部分达成', '部分完成', '部分实现']},
                 {'name': '基本达成', 'low': 60, 'high': 100, 'words': ['基本达成', '基本完成', '基本实现']},
                 {'name': '达成',
                  'low': 80,
                  'high': 100,
                  'words': ['全部达成', '已达成', '达成', '全部完成', '已完成', '完成', '已实现', '实现']}],
 'severity': {}}
