"""The cues that decide a block's role, kept as data.

A new house style should be a change here (plus a fixture in ``tests/corpus``), not a new branch
in the role modules. Everything is a plain tuple of strings; the role modules compile them.
"""

from __future__ import annotations

# --- designations: organ + post, chained with 、 -------------------------------------------------
# administrative levels a place name ends with
LEVELS = (
    "自治区",
    "自治州",
    "自治县",
    "省",
    "市",
    "州",
    "盟",
    "县",
    "区",
    "旗",
    "乡",
    "镇",
    "苏木",
    "街道",
    "村",
    "嘎查",
)
# leading bodies: 党委 / 政府 / 人大 / 政协 / 纪委 and their short forms ("省委", "县政府")
BODIES = (
    "中共中央",
    "中央",
    "国务院",
    "全国人大常委会",
    "全国政协",
    "中央纪委",
    "党委",
    "党组",
    "党工委",
    "工委",
    "省委",
    "市委",
    "州委",
    "盟委",
    "县委",
    "区委",
    "旗委",
    "人民政府",
    "政府",
    "人大常委会",
    "人大",
    "政协",
    "纪委",
    "监委",
    "纪委监委",
    "常委会",
    "办事处",
    "管委会",
)
# 厅局委办: the endings of a department's name ("省教育厅", "市发展改革委", "县委组织部")
DEPARTMENT_ENDINGS = (
    "办公厅",
    "办公室",
    "委员会",
    "领导小组",
    "指挥部",
    "厅",
    "局",
    "委",
    "办",
    "部",
    "院",
    "署",
    "中心",
    "所",
    "室",
    "处",
    "科",
    "站",
    "队",
)
# posts, most specific first where one contains another
POSTS = (
    "常务副省长",
    "常务副市长",
    "常务副县长",
    "常务副区长",
    "常务副州长",
    "常务副主任",
    "副省长",
    "省长",
    "副市长",
    "市长",
    "副县长",
    "县长",
    "副区长",
    "区长",
    "副州长",
    "州长",
    "副盟长",
    "盟长",
    "副旗长",
    "旗长",
    "副乡长",
    "乡长",
    "苏木达",
    "嘎查达",
    "副镇长",
    "镇长",
    "副主席",
    "主席",
    "副总理",
    "总理",
    "委员长",
    "副委员长",
    "党组书记",
    "党工委书记",
    "副书记",
    "书记",
    "常委",
    "委员",
    "副秘书长",
    "秘书长",
    "副主任",
    "主任",
    "副组长",
    "组长",
    "副部长",
    "部长",
    "副厅长",
    "厅长",
    "副局长",
    "局长",
    "副院长",
    "院长",
    "检察长",
    "副署长",
    "署长",
    "巡视员",
    "督察长",
    "总指挥",
    "副指挥长",
    "指挥长",
    "副总指挥",
    "总河长",
    "副总河长",
    "河长",
    "总林长",
    "林长",
    "湖长",
    "党组成员",
    "党组副书记",
    "党委委员",
    "政委",
    "司令员",
    # a university's, an enterprise's heads
    "副校长",
    "校长",
    "副董事长",
    "董事长",
    "副总经理",
    "总经理",
    "总裁",
)
# a leader named by the post alone, after the body ("市委主要领导", "县政府分管负责同志")
LEADERS_BY_POST = ("主要领导同志", "主要领导", "主要负责同志", "主要负责人", "分管领导同志",
                   "分管领导", "分管负责同志", "领导同志")  # fmt: skip
# what follows a name written after its title ("县委书记陈立新在《…》上批示", "副县长陈晓岚当晚…")
AFTER_NAME = (
    "同志", "在", "对", "于", "就", "作出", "做出", "专门", "亲自", "近日", "日前", "当晚", "当天",
    "圈阅", "阅批", "阅示", "审签",
    "当日", "当即", "随即", "立即", "认真", "高度", "多次", "再次", "先后", "分别", "阅", "看到",
    "听取", "赶赴", "深入", "主持", "调研", "带队", "率队", "批阅", "审阅", "指出", "强调", "要求",
    "表示", "出席", "到", "赴", "来", "也", "又", "还", "都", "专程", "第一时间",
)  # fmt: skip
# surnames of two characters: only after one is a name four characters long
COMPOUND_SURNAMES = ("欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "令狐", "公孙", "慕容", "尉迟",
                     "长孙", "宇文", "司徒", "夏侯", "端木", "独孤", "南宫", "呼延", "万俟")  # fmt: skip
# words that are never a person's name in a subject
NOT_NAMES = (
    "常务",
    "中共",
    "中央",
    "国务",
    "全国",
    "同志",
    "领导",
    "主要领导",
    "负责同志",
    "有关领导",
    "分管领导",
    "我们",
    "你们",
    "他们",
    "各地",
    "各级",
    "各部门",
    "各单位",
    "会议",
    "全省",
    "全市",
    "全县",
    "全区",
    "全国",
    "各市",
    "各县",
    "认真",
    "亲自",
    "专门",
    "近日",
    "日前",
    "先后",
    "分别",
    "多次",
    "再次",
    "对此",
    "对于",
    "此前",
)

# common single-character surnames: a name written alone (no post beside it) must start with one
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕"
    "丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃"
    "武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒"
    "阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓"
    "古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣"
    "巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满"
    "闻位厉伊仝郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦"
    "戈伏鹿薄邸雍辜羊阿乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但"
    "尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由"
)
# characters a person's name does not start with (they start organ words and verbs)
NOT_NAME_STARTS = "会编局厅委办部处室科院所在对就把被将为的了和与及是有向从由经据按请要应竟当即随立也都还又再很更最已正刚这那该此每我你他她它昨"

# --- directives -------------------------------------------------------------------------------
# what a leader or a body does when it instructs: the verb ends the subject
DIRECTIVE_VERBS = (
    "作出重要批示",
    "作出批示",
    "做出批示",
    "重要批示",
    "圈阅并批示",
    "阅后批示",
    "批示",
    "阅批",
    "批阅",
    "签批",
    "阅示",
    "批语",
    "批注",
    "指示",
)
# a body's own note: the note's words follow (批语：, 按：), or the cue is part of the sentence
BODY_NOTE_VERBS = ("批语", "按语", "按")
BODY_OPINION_CUES = ("中央认为", "中共中央认为", "国务院认为", "省委认为", "市委认为", "县委认为")
# between the verb and the quotation
SPEECH_LINKS = ("指出", "强调", "要求", "写道", "明确")
# of those, the ones after which the leader's own words follow even without a colon
WORDS_LINKS = ("指出", "强调", "写道")
# a relay (转发) note: "现将《…》印发给你们，请…"
RELAY_OPENINGS = ("现将", "现把", "兹将")
RELAY_VERBS = ("印发给你们", "转发给你们", "发给你们", "转给你们", "印发你们", "转发你们", "现予印发",
               "予以印发", "现予转发")  # fmt: skip
# a directive relayed at a meeting: the date before these words is the meeting's
RELAYED_DIRECTIVE_CUES = ("传达", "学习了", "学习贯彻")
# the day last named before ("7月8日…启动应急响应。副县长某某当晚…批示")
SAME_DAY_WORDS = ("当晚", "当天", "当日", "同日", "当夜")
# a section heading that holds directives
DIRECTIVE_HEADINGS = (
    "领导批示",
    "批示精神",
    "重要批示",
    "批示",
    "批语",
    "领导指示",
    "指示精神",
    "签批",
    "阅批",
    "阅示",
    "批阅",
)
# the cues whose presence without an extracted directive the preview warns about
MISSED_DIRECTIVE_CUES = (
    "批示",
    "批语",
    "按：",
    "按:",
    "指示",
    "指出：",
    "指出:",
    "要求：",
    "要求:",
)

# --- editor's notes ---------------------------------------------------------------------------
EDITOR_NOTE_CUES = ("编者按", "编者的话", "编后", "编者注", "编辑按")

# --- masthead ---------------------------------------------------------------------------------
CLASSIFICATIONS = (
    "内部资料",
    "内部交流",
    "内部刊物",
    "内部参阅",
    "注意保存",
    "内部参考",
    "内部情况",
    "内部通讯",
    "内部资料注意保存",
    "绝密",
    "机密",
    "秘密",
    "内部",
)
# the same marks after a series name on a running label ("街道快报　内部交流")
CLASSIFICATION_LABELS = ("内部交流", "内部资料", "内部刊物", "注意保存")
TITLE_WORDS = (
    "简报",
    "通报",
    "动态",
    "快报",
    "专报",
    "信息",
    "要情",
    "参阅",
    "周报",
    "月报",
    "情况",
)
# a line that names the issuer ends like this
ISSUER_ENDINGS = (
    "办公室",
    "办公厅",
    "领导小组",
    "委员会",
    "人民政府",
    "政府",
    "秘书处",
    "指挥部",
    "工作组",
    "中心",
    "厅",
    "局",
    "委",
    "办",
    "部",
    "委员会",
    "常委会",
    "联合会",
    "管委会",
    "协会",
    "组",
    "室",
    "处",
    "院",
    "署",
    "所",
    "站",
    "队",
    "科",
)
# "某某办公室编", "某某办公室 主办"
EDITED_BY = ("编印", "编发", "主办", "编")
# a salutation line of a notice: "各市、县人民政府，省政府各部门："
ADDRESSEE_ENDINGS = ("：", ":")
ADDRESSEE_STARTS = ("各", "省直", "市直", "县直", "区直", "中央和国家机关", "有关")
# a salutation to people rather than bodies
COMRADES = ("同志", "同志们")
# or a list of bodies or people, the last of them ending like this ("…，三个开发区管委会：")
ADDRESSEE_NAMES = ("单位", "部门", "机构", "同志", "同志们", "人民政府", "政府", "党委", "党组",
                   "党工委", "党总支", "委员会", "管委会", "村委会", "居委会", "办事处", "委", "办",
                   "局", "厅", "院", "所", "中心", "公司", "办公室", "指挥部", "领导小组")  # fmt: skip

# a special issue's label under the masthead title: "经验交流专刊"
SPECIAL_ISSUES = ("专刊", "增刊", "专辑", "特刊")
# a document's own title: "某某关于…的通知", standing on its own line however long
DOC_TYPES = ("通知", "通报", "报告", "意见", "决定", "方案", "办法", "批复", "函", "纪要", "简报",
             "请示", "规划", "细则", "规定", "公告", "通告", "工作方案", "实施方案", "情况")  # fmt: skip
# a red-header document: "中共某某市委办公室文件", "某某发〔2024〕27号"
DOC_HEADER_ENDINGS = ("文件",)

# --- colophon and signature -------------------------------------------------------------------
COLOPHON_STARTS = (
    "值班电话",
    "办公电话",
    "邮寄地址",
    "发送：",
    "发送:",
    "本期编辑",
    "本期责编",
    "本期审核",
    "编审",
    "供稿",
    "撰稿",
    "执笔",
    "责编",
    "（此件",
    "(此件",
    "报：",
    "送：",
    "发：",
    "报:",
    "送:",
    "发:",
    "抄送",
    "抄报",
    "主送",
    "分送",
    "印发",
    "共印",
    "联系人",
    "联系电话",
    "电话",
    "传真",
    "责任编辑",
    "审核",
    "签发",
    "编辑：",
    "编辑:",
    "校对",
    "报送：",
    "送达：",
    "邮箱",
    "地址",
    "核稿",
)

# --- boilerplate: web pages and print furniture -----------------------------------------------
BOILERPLATE_STARTS = (
    # a disclosure page's metadata table (信息公开目录)
    "索引号",
    "发文机关",
    "发文字号",
    "政策咨询机关",
    "政策咨询电话",
    "效力状态",
    "主题分类",
    "发布机构",
    "成文日期",
    "发文日期",
    "生效时间",
    "废止时间",
    "有效性",
    "公开方式",
    "公开范围",
    "关键字",
    "关键词",
    "来源：",
    "来源:",
    "文章来源",
    "信息来源",
    "稿源",
    "作者：",
    "作者:",
    "发布时间",
    "发布日期",
    "浏览次数",
    "点击数",
    "阅读数",
    "字号",
    "【字体",
    "【打印",
    "[打印",
    "打印本页",
    "关闭窗口",
    "【关闭",
    "[关闭",
    "分享到",
    "分享：",
    "扫一扫",
    "返回顶部",
    "[返回",
    "【返回",
    "返回首页",
    "返回列表",
    "上一篇",
    "下一篇",
    "相关链接",
    "相关阅读",
    "相关文章",
    "相关新闻",
    "推荐阅读",
    "责任编辑：",
    "责任编辑:",
    "首页 >",
    "首页>",
    "当前位置",
    "您当前的位置",
    "您现在的位置",
    "现在位置",
    "当前位置：",
    "您的位置",
    "网站地图",
    "主办单位",
    "承办单位",
    "技术支持",
    "ICP备",
    "网站标识码",
    "版权所有",
    "Copyright",
    "copyright",
    "©",
    "免责声明",
    "联系我们",
    "政府网站标识码",
    "公安备案",
    "京公网安备",
    "本网站",
    "【我要纠错",
    "我要纠错",
    "【收藏",
    "栏目：",
    "栏目:",
    "今天是：",
    "今天是:",
    "设为首页",
    "加入收藏",
)
# a web page's fields about the article (briefbot.briefing.pagefields): the document's own date,
# the page's date, the body that issued it, where the text came from, its number
PAGE_WRITTEN_LABELS = ("成文日期", "发文日期", "印发日期")
PAGE_PUBLISHED_LABELS = ("发布日期", "发布时间", "发表日期", "发表时间", "公开日期", "更新时间", "时间", "日期")
PAGE_BODY_LABELS = ("发布机构", "公开责任部门", "发文机关", "发文单位")
PAGE_SOURCE_LABELS = ("信息来源", "文章来源", "稿件来源", "来源", "稿源")
PAGE_NUMBER_LABELS = ("文号", "发文字号")
PAGE_CLOSING_LABELS = ("截止日期", "截止时间", "截止")
# a 来源 naming a news outlet or a web site says where the text was copied from, not who issued it
MEDIA_ENDINGS = (
    "融媒体中心",
    "新闻中心",
    "日报",
    "晚报",
    "报社",
    "电视台",
    "广播电视台",
    "传媒",
    "网",
)
# a line of nothing but a page's tool buttons ("放大 缩小 默认", "【打印】【关闭】")
PAGE_TOOL_WORDS = ("放大", "缩小", "默认", "正常", "大", "中", "小", "打印", "关闭", "收藏", "分享",
                   "纠错", "返回顶部", "返回", "字体", "字号", "视力保护色", "浏览量")  # fmt: skip
# a bracketed link "[返回首页]" is navigation only with one of these words in it
NAVIGATION_WORDS = (
    "返回",
    "关闭",
    "打印",
    "首页",
    "顶部",
    "收藏",
    "分享",
    "纠错",
    "字体",
    "字号",
    "上一篇",
    "下一篇",
    "更多",
    "网站地图",
    "登录",
    "注册",
    "搜索",
)
BOILERPLATE_CONTAINS = (
    "版权所有",
    "免责声明",
    "版权声明",
    # document-sharing sites around a copied text
    "下载文档",
    "在线预览",
    "联系客服",
    "合集下载",
    "ICP备",
    "公网安备",
    "Copyright",
    "All Rights Reserved",
    "未经授权",
    "禁止转载",
    "转载请注明",
    "CC BY",
    "知识共享",
    "分享到：",
    "微信扫一扫",
    "网站标识码",
)

# a heading over a list of links to other articles ("相关文章：" / "·某某…")
RELATED_HEADINGS = ("相关链接", "相关阅读", "相关文章", "相关新闻", "推荐阅读", "猜你喜欢")
# a heading over a site's numbered statement ("某某网版权与免责声明" / "1、未经本网许可…")
DISCLAIMER_HEADINGS = ("免责声明", "版权声明", "版权说明", "用户须知")
# a collection's note on its source text, under a note ("根据手稿刊印。")
EDITION_NOTE_SOURCES = ("手稿", "抄件", "原件", "铅印件", "油印件", "印件", "电报稿", "档案")
EDITION_NOTE_VERBS = ("刊印", "排印", "编入", "印出", "整理")

# --- bullets and outline markers ------------------------------------------------------------
BULLET_MARKS = "◆■□★☆●○▲△▶►◇◎※·•"
# news items start like this after a headline-less paragraph
NEWS_STARTS = ("近日", "日前", "近期", "最近", "今年以来", "年初以来", "连日来")
PROBLEM_CUES = ("不足", "问题", "差距", "短板", "薄弱", "困难", "不够", "不到位", "短处")

# --- known section names ----------------------------------------------------------------------
SECTION_NAMES = (
    "领导批示",
    "本期要闻",
    "要闻",
    "工作动态",
    "工作进展",
    "基层动态",
    "地方动态",
    "部门动态",
    "经验交流",
    "典型经验",
    "督查通报",
    "通报",
    "简讯",
    "信息",
    "通知公告",
    "工作要求",
    "下步工作",
    "下一步工作",
    "重点工作",
    "专题",
    "编者按",
    "批示精神",
    "领导讲话",
    "会议精神",
    "工作部署",
    "情况通报",
    "经验做法",
    "存在问题",
    "工作安排",
    "要情快报",
    "各地动态",
    "本期导读",
    "工作提示",
)

# a longer bracketed or bold line is a section heading when it ends like one
SECTION_ENDINGS = ("动态", "要闻", "简讯", "快讯", "交流", "经验", "通报", "专题", "信息", "聚焦", "导读",
                   "精神", "批示", "部署", "进展", "工作", "提示", "点评", "观察", "视点")  # fmt: skip

# a numbered heading ending like this ("一、存在问题", "二、整改要求") is a section of a report's
# outline, not a news headline
OUTLINE_SECTIONS = ("情况", "问题", "要求", "建议", "措施", "安排", "成效", "做法", "打算", "原则",
                    "范围", "依据", "目标", "总则", "附则")  # fmt: skip

# --- deadlines -------------------------------------------------------------------------------
DEADLINE_IMPERATIVES = (
    "请",
    "务必",
    "须",
    "确保",
    "要在",
    "应在",
    "并于",
    "要求",
    "要于",
    "应于",
    "需于",
    "应当在",
    "应当于",
    "必须在",
    "必须于",
    "需在",
)
# a table column holding deadlines ("完成时限", "整改时限", "截止时间")
DEADLINE_COLUMNS = ("时限", "完成时间", "截止时间", "截止日期", "完成日期", "办结时间", "期限")
DUE_VERBS = ("报送", "提交", "上报", "完成", "反馈", "报告", "报", "拿出", "召开", "形成", "建成",
             "制定", "出台", "整改", "落实", "组织", "提出", "建立", "开展", "实现", "启动", "修订",
             "印发", "审议", "核查", "清理", "排查", "拆除", "开工", "投产", "到位")  # fmt: skip
